use parking_lot::{Mutex, RwLock};
use std::sync::Arc;

async fn tick(state: Arc<Mutex<u32>>, cfg: &RwLock<String>) {
    let mut n = state.lock();
    *n += 1;
    flush().await;
    let c = cfg.read();
    flush().await;
    if let Some(b) = cfg.read().bytes().next() {
        flush().await;
    }
}

async fn fine(state: Arc<Mutex<u32>>, t: Arc<tokio::sync::Mutex<u32>>) {
    {
        let mut n = state.lock();
        *n += 1;
    }
    flush().await;
    let g = t.lock().await;
    flush().await;
}

async fn shared() {
    let m = Arc::new(Mutex::new(0u32));
    let g = m.lock();
    flush().await;
}

async fn flush() {}
