pub fn stamp() -> std::time::Instant {
    std::time::Instant::now()
}
