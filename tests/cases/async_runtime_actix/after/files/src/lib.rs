pub async fn serve(p: &str) {
    let bytes = std::fs::read(p);
    std::thread::sleep(std::time::Duration::from_millis(5));
}
