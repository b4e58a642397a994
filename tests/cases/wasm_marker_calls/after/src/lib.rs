use std::fs::File;
use std::net::{Ipv4Addr, TcpStream};
use std::thread;
use std::time::Instant as Clock;
use std::time::SystemTime;

fn calls() {
    let a = std::time::Instant::now();
    let b = Clock::now();
    let c = SystemTime::now();
    thread::spawn(|| {});
    thread::sleep(std::time::Duration::from_millis(1));
    let d = std::fs::read("x");
    let e = File::open("x");
    let f = TcpStream::connect("127.0.0.1:1");
    // Not flagged: plain values, and the portable clock.
    let g = Ipv4Addr::new(127, 0, 0, 1);
    let h = web_time::Instant::now();
    let i = std::time::Duration::from_secs(1);
    drop((a, b, c, d, e, f, g, h, i));
}

mod by_glob {
    use std::thread::*;

    fn nap() {
        sleep(std::time::Duration::from_millis(1));
    }
}
