use std::time::Duration;

pub async fn tick(d: Duration) {
    std::thread::sleep(d);
    let s = std::net::TcpStream::connect("example.org:80");
    let text = std::fs::read_to_string("Cargo.toml");
}
