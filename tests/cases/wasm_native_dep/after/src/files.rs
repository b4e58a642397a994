// A list that names `fs` among others: still tokio's wasm-less `fs`.
use tokio::{fs as tfs, runtime};

pub fn size(path: &str) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}
