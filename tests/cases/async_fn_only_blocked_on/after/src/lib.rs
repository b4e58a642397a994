//! A private async fn run only through `block_on` from sync code runs on that thread, no executor's.
use std::io::Write;

async fn experiment(path: std::path::PathBuf) {
    let mut fp = std::fs::File::create(&path).unwrap();
    fp.write_all(b"\n").unwrap();
}

pub fn property(path: std::path::PathBuf) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.handle().block_on(experiment(path));
}

// Also awaited in async code: it runs on the executor there, and is reported.
async fn both(path: std::path::PathBuf) {
    std::fs::remove_file(&path).unwrap();
}

pub fn sync_side(rt: &tokio::runtime::Runtime, path: std::path::PathBuf) {
    rt.block_on(both(path));
}

pub async fn async_side(path: std::path::PathBuf) {
    both(path).await;
}
