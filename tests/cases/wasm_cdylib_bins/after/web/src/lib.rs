// The library is the wasm build: reported.
pub fn started() -> std::time::Instant {
    std::time::Instant::now()
}
