use tokio::fs;

async fn load(p: &str) -> std::io::Result<String> {
    let bytes = fs::read(p).await?;
    let text = std::fs::read_to_string(p)?;
    Ok(text + &String::from_utf8_lossy(&bytes))
}
