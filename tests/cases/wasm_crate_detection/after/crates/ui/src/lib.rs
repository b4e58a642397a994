fn spawn() {
    std::thread::spawn(|| {});
}
