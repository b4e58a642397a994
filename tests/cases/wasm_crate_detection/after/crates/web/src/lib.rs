fn tick() -> std::time::Instant {
    std::time::Instant::now()
}
