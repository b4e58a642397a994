pub mod conn;

fn resolve(host: &str) -> std::io::Result<Vec<std::net::SocketAddr>> {
    std::thread::sleep(std::time::Duration::from_millis(10));
    Ok(vec![host.parse().unwrap()])
}
