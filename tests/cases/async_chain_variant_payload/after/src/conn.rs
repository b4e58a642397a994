use std::sync::mpsc::Receiver;

pub enum Conn {
    Sync(Receiver<u8>),
    Async(tokio::sync::mpsc::Receiver<u8>),
}
