// Build scripts run on the host.
fn main() {
    let _ = std::fs::read_to_string("schema.json");
    let _ = std::time::Instant::now();
}
