use std::net::{SocketAddr, TcpListener, ToSocketAddrs, UdpSocket};

// Helpers that bind or parse addresses needing no lookup: no chain through them.
fn setup(ip: std::net::IpAddr) -> TcpListener {
    TcpListener::bind(SocketAddr::new(ip, 0)).unwrap()
}

fn local() -> UdpSocket {
    let _ = "127.0.0.1:0".to_socket_addrs();
    UdpSocket::bind(("127.0.0.1", 0)).unwrap()
}

// A host name goes through the resolver: the chain is reported.
fn named(host: &str) -> TcpListener {
    TcpListener::bind((host, 80)).unwrap()
}

pub async fn serve(ip: std::net::IpAddr) {
    let a = setup(ip);
    let b = local();
    let c = named("example.org");
}
