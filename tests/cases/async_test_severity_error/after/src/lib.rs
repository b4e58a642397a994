#[tokio::test]
async fn t1() {
    std::fs::write("x", b"1").unwrap();
}
