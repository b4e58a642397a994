use std::process::Command;
use std::thread;
use std::time::{Instant, SystemTime};

pub struct Timer {
    started: Instant,
}

impl Timer {
    pub fn took(&self) -> std::time::Duration {
        self.started.elapsed()
    }
}

pub fn since(t: SystemTime, i: Instant) -> u128 {
    let a = t.elapsed().unwrap().as_millis();
    let b = i.elapsed().as_millis();
    a + b
}

pub fn workers() {
    let h = thread::Builder::new().name("w".into()).spawn(|| ()).unwrap();
    let _ = h.join();
    thread::scope(|s| {
        let _ = s;
    });
}

pub fn shell() {
    let _ = Command::new("ls").output();
}

pub fn clock() -> fn() -> Instant {
    let now = Instant::now;
    now
}

pub fn not_a_clock(d: std::time::Duration) -> u64 {
    // Duration has no elapsed; a local's own elapsed() is not judged.
    let x = Stopwatch;
    let _ = x.elapsed();
    d.as_secs()
}

pub struct Stopwatch;
impl Stopwatch {
    pub fn elapsed(&self) -> u64 {
        0
    }
}

pub fn pause() {
    thread::sleep(std::time::Duration::from_millis(5));
}

pub async fn pause_async() {
    thread::sleep(std::time::Duration::from_millis(5));
}
