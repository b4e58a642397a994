pub async fn run() {
    even(4);
    ping(3);
}

fn even(n: u32) -> bool {
    if n == 0 {
        std::thread::sleep(std::time::Duration::from_millis(1));
        return true;
    }
    odd(n - 1)
}

fn odd(n: u32) -> bool {
    n != 0 && even(n - 1)
}

fn ping(n: u32) -> u32 {
    if n == 0 { 0 } else { pong(n - 1) }
}

fn pong(n: u32) -> u32 {
    if n == 0 { 1 } else { ping(n - 1) }
}
