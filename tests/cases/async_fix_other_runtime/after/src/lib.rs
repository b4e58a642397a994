// An async-std crate: the tokio rewrite would not build, so there is no fix.
pub async fn load(p: &str) -> std::io::Result<Vec<u8>> {
    std::fs::read(p)
}
