pub fn stamp() -> std::time::SystemTime {
    std::time::SystemTime::now()
}
