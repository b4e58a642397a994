// No async code here: nothing can run on an executor thread.
fn load(p: &str) -> String {
    std::thread::sleep(std::time::Duration::from_secs(1));
    std::fs::read_to_string(p).unwrap()
}
