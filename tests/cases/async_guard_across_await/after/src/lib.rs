use std::sync::{Arc, Mutex, RwLock};

async fn tick(state: Arc<Mutex<u32>>, cfg: Arc<RwLock<String>>) -> Result<(), Box<dyn std::error::Error>> {
    let mut n = state.lock().unwrap();
    *n += 1;
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    let c = cfg.read().expect("poisoned");
    if c.is_empty() {
        flush().await;
    }
    let w = cfg.write().map_err(|_| "poisoned")?;
    Ok(())
}

async fn flush() {}
