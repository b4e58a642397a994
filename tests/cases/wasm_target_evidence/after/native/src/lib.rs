// Only a negated table mentions wasm: this crate does not target it.
pub fn stamp() -> std::time::Instant {
    std::time::Instant::now()
}
