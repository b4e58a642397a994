use std::fs::{File, OpenOptions};
use std::io::Write;

async fn write_log(p: &str) -> std::io::Result<()> {
    let f = File::create(p)?;
    let g = File::open(p)?;
    let mut h = OpenOptions::new().append(true).create(true).open(p)?;
    let exists = std::fs::exists(p)?;
    let t = tokio::fs::File::open(p).await?;
    let u = tokio::fs::OpenOptions::new().append(true).open(p).await?;
    Ok(())
}
