use std::thread::*;
use std::fs::*;

fn read(p: &str) -> Vec<u8> {
    p.as_bytes().to_vec()
}

async fn f(p: &str) {
    sleep(std::time::Duration::from_secs(1));
    let _ = read(p);
    remove_file(p).unwrap();
}
