fn frame_time() -> std::time::SystemTime {
    std::time::SystemTime::now()
}
