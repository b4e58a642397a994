pub async fn next(x: u64) -> u64 {
    read_file_blocking(x) + sleep_ms(x)
}

fn read_file_blocking(x: u64) -> u64 {
    x.wrapping_mul(31)
}

fn sleep_ms(x: u64) -> u64 {
    x / 1000
}
