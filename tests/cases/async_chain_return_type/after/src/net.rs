use std::net::TcpListener;
use std::sync::mpsc::{sync_channel, Receiver};

pub fn make_rx() -> Receiver<u32> {
    let (_tx, rx) = sync_channel(1);
    rx
}

pub fn open_listener(addr: &str) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr)
}

pub fn quiet() -> Vec<u8> {
    Vec::new()
}
