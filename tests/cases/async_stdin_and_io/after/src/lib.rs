use std::io::{self, BufRead, Read};

async fn prompt() -> String {
    let mut s = String::new();
    io::stdin().read_line(&mut s).unwrap();
    let stdin = io::stdin();
    stdin.lock().read_to_string(&mut s).unwrap();
    let all = io::read_to_string(io::stdin()).unwrap();
    let lines = std::io::stdin().lines();
    s
}
