//! Queues bounded by the code around them (left alone), next to look-alikes
//! that can grow (reported).
use std::sync::{Arc, Mutex};
use futures_channel::{mpsc, oneshot};

// Coalesced wake-up: sends only into an empty queue, so it holds one ().
pub fn wake_up() -> (impl FnMut(), mpsc::UnboundedReceiver<()>) {
    let (tx, rx) = mpsc::unbounded();
    let callback = move || {
        if !tx.is_empty() {
            return;
        }
        let _ = tx.unbounded_send(());
    };
    (callback, rx)
}

// The emptiness check runs once, before the loop: every turn sends.
pub fn guarded_once(items: Vec<u32>) -> mpsc::UnboundedReceiver<u32> {
    let (tx, rx) = mpsc::unbounded();
    if !tx.is_empty() {
        return rx;
    }
    for i in items {
        let _ = tx.unbounded_send(i);
    }
    rx
}

// Each request carries the reply its sender waits for.
struct Request {
    body: Vec<u8>,
    reply: oneshot::Sender<()>,
}

pub fn requests() -> std::sync::mpsc::Receiver<Request> {
    let (tx, rx) = std::sync::mpsc::channel::<Request>();
    std::thread::spawn(move || loop {
        let (reply, _wait) = oneshot::channel();
        let _ = tx.send(Request { body: Vec::new(), reply });
    });
    rx
}

// One variant carries no reply: it can be sent again and again.
enum Command {
    Get(oneshot::Sender<u32>),
    Log(String),
}

pub fn commands() -> std::sync::mpsc::Receiver<Command> {
    let (tx, rx) = std::sync::mpsc::channel::<Command>();
    std::thread::spawn(move || loop {
        let _ = tx.send(Command::Log(String::new()));
    });
    rx
}

// A free list: the struct's own queue, polled with try_recv, never waited on.
pub struct FreeList {
    next: u32,
    recycled_tx: crossbeam_channel::Sender<u32>,
    recycled_rx: Arc<Mutex<crossbeam_channel::Receiver<u32>>>,
}

impl Default for FreeList {
    fn default() -> Self {
        let (recycled_tx, recycled_rx) = crossbeam_channel::unbounded();
        Self { next: 0, recycled_tx, recycled_rx: Arc::new(Mutex::new(recycled_rx)) }
    }
}

impl FreeList {
    pub fn reserve(&mut self) -> u32 {
        if let Ok(i) = self.recycled_rx.lock().unwrap().try_recv() {
            return i;
        }
        self.next += 1;
        self.next
    }

    pub fn recycle(&self, i: u32) {
        let _ = self.recycled_tx.send(i);
    }
}

// Both ends in one struct, but a consumer waits on the receiver: a pipe.
pub struct Log {
    tx: crossbeam_channel::Sender<String>,
    rx: crossbeam_channel::Receiver<String>,
}

impl Log {
    pub fn new() -> Self {
        let (tx, rx) = crossbeam_channel::unbounded();
        Log { tx, rx }
    }

    pub fn write(&self, line: String) {
        let _ = self.tx.send(line);
    }

    pub fn next_line(&self) -> Option<String> {
        self.rx.recv().ok()
    }
}

/// Creates a connected pair.
///
/// Use this for testing.
pub fn memory() -> (crossbeam_channel::Sender<u8>, crossbeam_channel::Receiver<u8>) {
    crossbeam_channel::unbounded()
}

// One completion per task: each clone sends once from its task's async block.
pub async fn run_all(jobs: Vec<u32>) {
    let (done_tx, mut done_rx) = mpsc::unbounded::<()>();
    let mut pending = 0;
    for _job in jobs {
        let done_tx = done_tx.clone();
        pending += 1;
        tokio::spawn(async move {
            let _ = done_tx.unbounded_send(());
        });
    }
    while pending > 0 {
        let _ = futures::StreamExt::next(&mut done_rx).await;
        pending -= 1;
    }
}

// The clone's task sends in a loop: it can grow.
pub async fn progress(jobs: Vec<u32>) -> mpsc::UnboundedReceiver<u32> {
    let (tx, rx) = mpsc::unbounded::<u32>();
    for _job in jobs {
        let tx = tx.clone();
        tokio::spawn(async move {
            for step in 0..100 {
                let _ = tx.unbounded_send(step);
            }
        });
    }
    rx
}

// A callback whose body is an assignment to `_`: it sends on every call.
pub fn on_message(hub: &mut Hub) -> tokio::sync::mpsc::UnboundedReceiver<u32> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    hub.connect(move |m| _ = tx.send(m));
    let _ = rx.try_recv();
    rx
}

pub struct Hub;
impl Hub {
    pub fn connect(&mut self, _f: impl FnMut(u32) + 'static) {}
}

// A reply read once with `.next().await`: one message.
pub async fn screenshot(ui: &mut Hub) -> Option<u32> {
    let (done_tx, mut done_rx) = mpsc::unbounded::<u32>();
    ui.connect(move |v| {
        let _ = done_tx.unbounded_send(v);
    });
    done_rx.next().await
}

/// An emitter to use in tests.
pub struct TestEmitter {
    rx: std::sync::mpsc::Receiver<u32>,
    emit: Box<dyn Fn(u32) + Send + Sync>,
}

impl Default for TestEmitter {
    fn default() -> Self {
        let (tx, rx) = std::sync::mpsc::channel();
        let emit = Box::new(move |v| {
            let _ = tx.send(v);
        });
        Self { rx, emit }
    }
}
