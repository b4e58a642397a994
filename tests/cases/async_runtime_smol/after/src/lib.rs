use std::time::Duration;

async fn tick(d: Duration) {
    std::thread::sleep(d);
    let s = std::net::TcpStream::connect("example.org:80");
}
