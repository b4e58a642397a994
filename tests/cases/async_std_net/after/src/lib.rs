use std::net::{TcpListener, TcpStream, ToSocketAddrs, UdpSocket};

async fn serve() -> std::io::Result<()> {
    let l = TcpListener::bind("localhost:0")?;
    let (s, _) = l.accept()?;
    let c = TcpStream::connect("127.0.0.1:80")?;
    let u = UdpSocket::bind("localhost:0")?;
    let addrs = ("localhost", 80).to_socket_addrs()?;
    let t = tokio::net::TcpStream::connect("127.0.0.1:80").await?;
    Ok(())
}
