mod uses_fs;

// tokio without `fs`, even with the workspace's declaration: the message says to add it.
pub async fn clean(p: &str) {
    std::fs::remove_file(p).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1));
}
