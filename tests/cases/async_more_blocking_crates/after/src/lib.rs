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
