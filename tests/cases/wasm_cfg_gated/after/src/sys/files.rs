// Gated two levels up: sys is open, files is native-only.
fn list() {
    let _ = std::fs::read_dir(".");
}
