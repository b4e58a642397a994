// Declared under #[cfg(not(target_arch = "wasm32"))] in lib.rs.
fn load() {
    let _ = std::fs::read_to_string("config.toml");
}
