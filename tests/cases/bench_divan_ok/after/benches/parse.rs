fn main() {
    divan::main();
}

#[divan::bench]
fn parse() -> Option<u64> {
    ticker::parse_interval("5s")
}
