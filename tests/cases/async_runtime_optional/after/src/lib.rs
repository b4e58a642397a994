pub async fn bytes(p: std::path::PathBuf) -> std::io::Result<Vec<u8>> {
    std::fs::read(p)
}
