// Declared `#[cfg(test)] mod tests;` in net.rs: test code, a warning.
async fn roundtrip() {
    std::fs::read("x").unwrap();
}
