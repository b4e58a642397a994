// A call that is itself awaited cannot be the blocking std function,
// whatever the imports say: std::fs::read returns no future.
use std::fs;

async fn load(p: &str) -> Vec<u8> {
    let a = fs::read(p).await.unwrap();
    let b = fs::read_to_string(p).await.unwrap();
    a
}
