use std::net::{SocketAddr, TcpListener, ToSocketAddrs, UdpSocket};

// Helpers that bind or parse addresses needing no lookup: no chain through them.
fn setup(ip: std::net::IpAddr) -> TcpListener {
    TcpListener::bind(SocketAddr::new(ip, 0)).unwrap()
}

fn local() -> UdpSocket {
    let _ = "127.0.0.1:0".to_socket_addrs();
    UdpSocket::bind(("127.0.0.1", 0)).unwrap()
}

fn any_port(ip: std::net::IpAddr) -> UdpSocket {
    let listener = TcpListener::bind((ip, 0)).unwrap();
    let addr = listener.local_addr().expect("bound");
    let probe: std::net::Ipv4Addr = std::net::Ipv4Addr::LOCALHOST;
    let _ = TcpListener::bind((probe, 0));
    UdpSocket::bind(addr).unwrap()
}

// A host name goes through the resolver: the chain is reported.
fn named(host: &str) -> TcpListener {
    TcpListener::bind((host, 80)).unwrap()
}

pub async fn serve(ip: std::net::IpAddr) {
    let a = setup(ip);
    let b = local();
    let c = named("example.org");
    let d = any_port(ip);
}
