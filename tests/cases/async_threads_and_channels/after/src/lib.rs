use std::sync::mpsc;
use std::thread;

async fn wait_all() {
    let h = thread::spawn(|| 1);
    let n = h.join().unwrap();
    let (tx, rx) = mpsc::sync_channel::<u8>(8);
    let v = rx.recv().unwrap();
    let w = rx.recv_timeout(std::time::Duration::from_secs(1));
    let (_t2, mut trx) = tokio::sync::mpsc::channel::<u8>(8);
    let x = trx.recv().await;
    let y = thread::spawn(|| 2).join();
}

async fn unknown(rx: Channel) {
    // Where a receiver comes from is not known, its recv is not reported.
    let v = rx.recv();
}
