// This file already names tokio::fs: the feature is on, whoever turns it on.
pub async fn list(p: &str) {
    let _d = tokio::fs::read_dir(p).await;
    std::fs::remove_file(p).unwrap();
}
