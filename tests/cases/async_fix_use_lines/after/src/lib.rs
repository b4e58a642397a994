use std::fs;
use std::fs::read_to_string;
use std::thread;
#[cfg(unix)]
use std::fs::write;

pub async fn a(p: &str) -> std::io::Result<String> {
    fs::read(p)?;
    thread::sleep(std::time::Duration::from_millis(1));
    thread::sleep(std::time::Duration::from_millis(1));
    write(p, "x")?;
    read_to_string(p)
}
