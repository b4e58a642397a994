#[test]
fn files() {
    let _ = std::fs::read("Cargo.toml");
}
