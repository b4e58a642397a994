use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener, ToSocketAddrs, UdpSocket};

async fn serve(addr: SocketAddr, host: &str) -> std::io::Result<()> {
    // No name to resolve, and bind(2) does not wait: not blocking.
    let a = TcpListener::bind("127.0.0.1:0")?;
    let b = UdpSocket::bind("[::1]:0")?;
    let c = TcpListener::bind(addr)?;
    let d = TcpListener::bind(&addr)?;
    let e = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
    let f = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
    let g = "10.0.0.1:80".to_socket_addrs()?;
    let h = ("127.0.0.1", 80).to_socket_addrs()?;
    // A host name goes through the resolver.
    let i = TcpListener::bind("localhost:0")?;
    let j = UdpSocket::bind(host)?;
    let k = (host, 80).to_socket_addrs()?;
    let l = "example.org:80".to_socket_addrs()?;
    // The same inside macro arguments.
    assert!(TcpListener::bind("127.0.0.1:0").is_ok());
    assert!("example.org:80".to_socket_addrs().is_ok());
    Ok(())
}

mod glob {
    // SocketAddr comes in through the glob: still std's, still no lookup.
    use super::*;

    async fn listen() -> std::io::Result<()> {
        let any_port = SocketAddr::from(([127, 0, 0, 1], 0));
        let l = TcpListener::bind(any_port)?;
        let v4: SocketAddrV4 = "127.0.0.1:0".parse().unwrap();
        let m = TcpListener::bind(v4)?;
        Ok(())
    }
}
