//! A sender moved into a spawned task: one message if the task sends once.
use std::sync::mpsc::{channel, Receiver, Sender};

// The task reports how it ended, once: not reported.
pub fn watch_close(conn: impl std::future::Future<Output = u32> + Send + 'static) -> Receiver<u32> {
    let (close_tx, close_rx) = channel();
    tokio::spawn(async move {
        let code = conn.await;
        close_tx.send(code).ok();
    });
    close_rx
}

// The task sends per item: reported.
pub fn forward(items: Vec<u32>) -> Receiver<u32> {
    let (tx, rx) = channel();
    tokio::spawn(async move {
        for item in items {
            tx.send(item).ok();
        }
    });
    rx
}

// A closure may run many times: reported.
pub fn on_event(register: impl FnOnce(Box<dyn Fn(u32) + Send>)) -> Receiver<u32> {
    let (tx, rx) = channel();
    register(Box::new(move |e| {
        tx.send(e).ok();
    }));
    rx
}

// A spawned thread's body runs once: its single send is one message, not reported.
pub fn request(f: Box<dyn FnOnce() -> u32 + Send>) -> Option<u32> {
    let (tx, rx) = channel();
    std::thread::Builder::new()
        .name("requester".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .ok()?;
    loop {
        if let Ok(v) = rx.recv_timeout(std::time::Duration::from_millis(100)) {
            return Some(v);
        }
    }
}

// A thread that sends per line: reported.
pub fn lines(text: String) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for l in text.lines() {
            tx.send(l.to_string()).ok();
        }
    });
    rx
}

pub struct Executor;
impl Executor {
    pub fn spawn_blocking_named(&self, _name: &str, f: impl FnOnce() + Send + 'static) {
        std::thread::spawn(f);
    }
}

// A runtime's own spawn (`spawn_blocking_named`) runs its closure once: one result.
pub fn fallback(executor: &Executor) -> Receiver<u64> {
    let (tx, rx) = channel();
    executor.spawn_blocking_named("serial-root", move || {
        let _ = tx.send(42);
    });
    rx
}

// Handed to a fn of the file that sends once and returns: one message.
pub fn connect(hosts: Vec<String>) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let _ = first_reachable(hosts, tx);
    });
    rx
}

fn first_reachable(hosts: Vec<String>, found: Sender<String>) -> Result<(), String> {
    for host in hosts {
        if host.ends_with(":22") {
            found.send(host).map_err(|e| e.to_string())?;
            return Ok(());
        }
    }
    Err("none".into())
}

// Handed to a fn of the file that sends per item: reported.
pub fn walk(paths: Vec<String>) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || each_path(paths, tx));
    rx
}

fn each_path(paths: Vec<String>, out: Sender<String>) {
    for p in paths {
        let _ = out.send(p);
    }
}
