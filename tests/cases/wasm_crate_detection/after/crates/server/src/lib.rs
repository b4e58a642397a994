// Not a WASM crate: std is fine here.
fn tick() -> std::time::Instant {
    let _ = std::fs::read("x");
    std::time::Instant::now()
}
