#[tokio::test]
async fn loads() {
    std::fs::write("x", b"y").unwrap();
    assert!(fixme::load("x").await.is_ok());
}
