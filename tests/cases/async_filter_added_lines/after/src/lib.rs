async fn old() {
    std::thread::sleep(std::time::Duration::from_secs(1));
}

async fn new_one(p: &str) {
    let _ = std::fs::read(p);
}
