use std::sync::Arc;
use tokio::sync::{mpsc, Mutex, RwLock};

async fn all(m: Arc<Mutex<u8>>, l: Arc<RwLock<u8>>, mut rx: mpsc::Receiver<u8>, tx: mpsc::Sender<u8>) {
    let a = m.blocking_lock();
    let b = l.blocking_read();
    let c = l.blocking_write();
    let d = rx.blocking_recv();
    tx.blocking_send(1).unwrap();
    let ok = m.lock().await;
}
