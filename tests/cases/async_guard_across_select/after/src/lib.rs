use std::sync::{Arc, Mutex};

async fn race(state: Arc<Mutex<u32>>) {
    let g = state.lock().unwrap();
    tokio::select! {
        _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
        _ = flush() => {}
    }
}

async fn flush() {}
