// Needs tokio's `net`, which the crate asks for only off wasm: never built for wasm.
use std::net::SocketAddr;
use tokio::net::TcpListener;

pub struct TestClient {
    pub addr: SocketAddr,
}

pub(crate) fn spawn() -> SocketAddr {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let listener = TcpListener::from_std(std_listener).unwrap();
    listener.local_addr().unwrap()
}
