//! Channels whose structure bounds what they hold: none is reported.
use std::sync::mpsc;
use std::sync::Arc;
use tokio::sync::{mpsc as tmpsc, oneshot, Semaphore};

pub struct Request {
    pub reply: oneshot::Sender<u32>,
}

// One message: the sender is used once.
pub fn one_message() -> u32 {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(1u32);
    });
    rx.recv().unwrap()
}

// A reply channel: the receiver is read once.
pub fn ask(worker: &Worker) -> u32 {
    let (tx, rx) = mpsc::channel();
    worker.submit(tx);
    rx.recv().unwrap()
}

// Requests carrying their oneshot reply: each sender waits for its answer.
pub fn requests() -> tmpsc::UnboundedSender<(u32, oneshot::Sender<u32>)> {
    let (tx, _rx) = tmpsc::unbounded_channel::<(u32, oneshot::Sender<u32>)>();
    tx
}

// Paired with a Semaphore that bounds it.
pub fn buffer(bound: usize) -> (tmpsc::UnboundedSender<u32>, Arc<Semaphore>) {
    let (tx, _rx) = tmpsc::unbounded_channel();
    let semaphore = Arc::new(Semaphore::new(bound));
    (tx, semaphore)
}

// Paired with a want::Giver.
pub fn dispatch() -> (Sender, tmpsc::UnboundedReceiver<u32>) {
    let (tx, rx) = tmpsc::unbounded_channel();
    let (giver, _taker) = want::new();
    (Sender { giver, inner: tx }, rx)
}

// A collector drained after its producers finish.
pub fn collect(n: u32) -> Vec<u32> {
    let (tx, rx) = mpsc::channel();
    for i in 0..n {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let _ = tx.send(i);
        });
    }
    drop(tx);
    rx.iter().collect()
}

pub struct Worker;
impl Worker {
    pub fn submit(&self, _tx: mpsc::Sender<u32>) {}
}
pub struct Sender {
    pub giver: want::Giver,
    pub inner: tmpsc::UnboundedSender<u32>,
}
