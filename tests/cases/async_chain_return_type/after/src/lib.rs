mod net;
use crate::net::{make_rx, open_listener};

pub async fn serve() -> u32 {
    let rx = make_rx();
    let first = rx.recv().unwrap();
    let listener = open_listener("127.0.0.1:0").unwrap();
    let _ = listener.accept();
    let n = net::quiet().len() as u32;
    first + n
}
