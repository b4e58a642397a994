use postgres::{Client, NoTls};
use tempfile::NamedTempFile;

async fn handler(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let tmp = NamedTempFile::new()?;
    let body = ureq::get(url).set("Accept", "text/plain").call()?;
    let agent = ureq::agent();
    let r = agent.post(url).send_string("x")?;
    let v = async_std::task::block_on(async { 1 });
    let w = futures_lite::future::block_on(async { 2 });
    let mut client = Client::connect("host=localhost", NoTls)?;
    let rows = client.query("SELECT 1", &[])?;
    client.batch_execute("SELECT 1")?;
    Ok(())
}

async fn temp_in(dir: tempfile::TempDir) -> std::io::Result<()> {
    let file = NamedTempFile::new_in(&dir)?;
    let _ = (file.path(), dir.path());
    Ok(())
}

// A std File has no buffer: its flush returns at once.
async fn flushed(file: &mut std::fs::File) -> std::io::Result<()> {
    use std::io::Write;
    file.flush()
}
