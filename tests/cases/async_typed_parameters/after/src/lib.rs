use std::sync::mpsc::Receiver;
use std::sync::Arc;
use tokio::runtime::Runtime;

async fn consume(rx: Receiver<u8>, rt: Arc<Runtime>, other: &mut tokio::sync::mpsc::Receiver<u8>) {
    let a = rx.recv();
    rt.block_on(async {});
    let b = other.recv().await;
    let c = |rx: std::sync::mpsc::Receiver<u8>| rx.recv();
}

async fn typed_let() {
    let rx: Receiver<u8> = make();
    rx.recv().unwrap();
    let rx = tokio_make();
    rx.recv();
}
