//! Senders that can send again and again without waiting: all reported.
use std::sync::mpsc;
use tokio::sync::mpsc as tmpsc;

pub fn send_in_loop(items: Vec<u32>) -> mpsc::Receiver<u32> {
    let (tx, rx) = mpsc::channel();
    for i in items {
        let _ = tx.send(i);
    }
    rx
}

pub fn spawned_task() -> tmpsc::UnboundedReceiver<u32> {
    let (tx, rx) = tmpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let _ = tx.send(1);
        }
    });
    rx
}

pub fn callback(watcher: &mut Watcher) -> tmpsc::UnboundedReceiver<u32> {
    let (tx, rx) = tmpsc::unbounded_channel();
    watcher.on_event(move |e| {
        let _ = tx.send(e);
    });
    rx
}

pub struct Pool {
    jobs: crossbeam_channel::Sender<u32>,
}

pub fn stored() -> (Pool, crossbeam_channel::Receiver<u32>) {
    let (tx, rx) = crossbeam_channel::unbounded();
    (Pool { jobs: tx }, rx)
}

pub fn cloned() -> (futures_channel::mpsc::UnboundedSender<u32>, futures_channel::mpsc::UnboundedReceiver<u32>) {
    let (tx, rx) = futures_channel::mpsc::unbounded();
    let other = tx.clone();
    drop(other);
    (tx, rx)
}

pub fn returned<T>() -> (mpsc::Sender<T>, mpsc::Receiver<T>) {
    return std::sync::mpsc::channel();
}

pub struct Watcher;
impl Watcher {
    pub fn on_event(&mut self, _f: impl FnMut(u32) + 'static) {}
}

// Cloned into producers that loop: reading the first answer once bounds nothing.
pub fn first_match() -> u32 {
    let (tx, rx) = mpsc::channel();
    for _ in 0..4 {
        let tx = tx.clone();
        std::thread::spawn(move || loop {
            let _ = tx.send(7u32);
        });
    }
    rx.recv().unwrap()
}

// A subscription: the sender handed to a registry, events read in a loop as it pushes them.
pub fn subscribe(registry: &mpsc::Sender<mpsc::Sender<u32>>) -> u32 {
    let (tx, rx) = mpsc::channel();
    let _ = registry.send(tx);
    let mut sum = 0;
    while let Ok(event) = rx.recv() {
        sum += event;
    }
    sum
}

// Only some requests carry a reply: the others are sent without waiting.
pub enum Command {
    Get(mpsc::Sender<u32>),
    Log(String),
}

pub fn commands() -> mpsc::Sender<Command> {
    let (tx, rx) = mpsc::channel::<Command>();
    std::thread::spawn(move || for _ in rx {});
    tx
}

// Jobs carrying a results sender that many jobs share: dispatched in a loop, nobody waits.
pub enum Job {
    Proof { address: u64, results: mpsc::Sender<u64> },
}

pub fn proof_workers() -> mpsc::Sender<Job> {
    let (tx, rx) = mpsc::channel::<Job>();
    std::thread::spawn(move || {
        for Job::Proof { address, results } in rx {
            let _ = results.send(address);
        }
    });
    tx
}

// A subscription handed over in a message, its receiver made a Stream of events.
pub fn listener(
    manager: &tokio::sync::mpsc::UnboundedSender<tokio::sync::mpsc::UnboundedSender<u32>>,
) -> tokio_stream::wrappers::UnboundedReceiverStream<u32> {
    let (tx, rx) = tmpsc::unbounded_channel();
    let _ = manager.send(tx);
    tokio_stream::wrappers::UnboundedReceiverStream::new(rx)
}
