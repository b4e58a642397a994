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

// Subscriptions whose item, as the field declares it, carries the reply sender.
pub struct Manager {
    subscriptions: mpsc::Receiver<(u64, mpsc::Sender<u32>)>,
}

pub struct Interface {
    subscribe: mpsc::Sender<(u64, mpsc::Sender<u32>)>,
}

pub fn manager() -> (Manager, Interface) {
    let (subscription_tx, subscription_rx) = mpsc::channel();
    (Manager { subscriptions: subscription_rx }, Interface { subscribe: subscription_tx })
}

impl Interface {
    // A reply address handed over in a request: one answer per call.
    pub fn call(&self, id: u64) -> mpsc::Receiver<u32> {
        let (tx, rx) = mpsc::channel();
        let _ = self.subscribe.send((id, tx));
        rx
    }
}

impl Manager {
    pub fn answer(&self) {
        for (id, reply) in self.subscriptions.try_iter() {
            let _ = reply.send(id as u32);
        }
    }
}

// A shutdown signal read once, in a select!.
pub async fn serve(start: impl FnOnce(tmpsc::UnboundedSender<()>)) {
    let (shutdown_tx, mut shutdown_rx) = tmpsc::unbounded_channel();
    start(shutdown_tx);
    tokio::select! {
        _ = shutdown_rx.recv() => {}
        _ = std::future::pending::<()>() => {}
    }
}

// No receiver: it is dropped at once, or never read, so nothing queues.
pub fn no_receiver(jobs: &mut Vec<mpsc::Sender<u32>>) {
    let (tx, _) = mpsc::channel();
    jobs.push(tx);
    let (sender, _receiver) = mpsc::channel();
    jobs.push(sender);
}

// One end of the pair taken, the other dropped at once: a no-op handle.
pub fn noop_handle() -> tmpsc::UnboundedSender<u32> {
    tmpsc::unbounded_channel().0
}

pub fn closed_receiver() -> mpsc::Receiver<u32> {
    mpsc::channel().1
}
