use std::sync::{Barrier, Condvar, Mutex};

async fn wait_all(b: &Barrier, cv: &Condvar, m: &Mutex<bool>) {
    b.wait();
    let g = cv.wait(m.lock().unwrap()).unwrap();
    let (g2, _) = cv.wait_timeout(m.lock().unwrap(), std::time::Duration::from_secs(1)).unwrap();
}

async fn channels() {
    let (tx, rx) = crossbeam_channel::bounded(1);
    tx.send(1).unwrap();
    let v = rx.recv().unwrap();
    let (utx, urx) = crossbeam_channel::unbounded();
    // An unbounded sender never waits.
    utx.send(2).unwrap();
    let w = urx.recv().unwrap();
    let t = tokio::sync::Barrier::new(2);
    t.wait().await;
    let shared = std::sync::Arc::new(Barrier::new(2));
    shared.wait();
}
