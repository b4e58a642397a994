// Declared without a gate: compiled for wasm32.
fn stamp() {
    let _ = std::time::SystemTime::now();
}
