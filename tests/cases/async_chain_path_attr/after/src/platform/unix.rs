pub fn probe() -> bool {
    std::path::Path::new("/dev/null").exists() && wait()
}

fn wait() -> bool {
    std::thread::sleep(std::time::Duration::from_millis(5));
    true
}
