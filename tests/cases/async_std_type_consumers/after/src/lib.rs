use std::io::{BufWriter, Write};

async fn save(p: &str, data: &[u8]) -> std::io::Result<()> {
    let f = std::fs::File::create(p)?;
    let mut w = BufWriter::new(f);
    w.write_all(data)
}

async fn serve(addr: &str) -> std::io::Result<()> {
    let listener = std::net::TcpListener::bind(addr)?;
    HttpServer::new(app).listen(listener)?.run().await
}

async fn copy(p: &str) -> std::io::Result<()> {
    let f = std::fs::File::open(p)?;
    Ok(())
}
