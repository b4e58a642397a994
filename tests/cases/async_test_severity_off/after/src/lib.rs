async fn real() {
    std::thread::sleep(std::time::Duration::from_secs(1));
}

#[tokio::test]
async fn t1() {
    std::fs::write("x", b"1").unwrap();
}
