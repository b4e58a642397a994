//! Collectors: a receiver emptied once without waiting, after the code that
//! sends has run. A bounded channel would block those senders for good.
use std::sync::mpsc::{channel, Receiver, Sender};

// Senders and receivers in structs; the receiver's field is only drained.
#[derive(Clone)]
pub struct Meta {
    title: Sender<String>,
}

pub struct MetaOutput {
    title: Receiver<String>,
}

impl Meta {
    pub fn new() -> (Meta, MetaOutput) {
        let (title_tx, title_rx) = channel();
        (Meta { title: title_tx }, MetaOutput { title: title_rx })
    }

    pub fn set(&self, t: String) {
        let _ = self.title.send(t);
    }
}

impl MetaOutput {
    pub fn finish(self, page: &str) -> String {
        let titles = self.title.try_iter().collect::<String>();
        format!("{titles}{page}")
    }
}

// A local receiver drained by `while let … try_recv()` after the action.
pub fn collect(action: impl FnOnce(&Sender<u32>)) -> Vec<u32> {
    let (tx, rx) = channel();
    action(&tx);
    let mut all = Vec::new();
    while let Ok(v) = rx.try_recv() {
        all.push(v);
    }
    all
}

// Still reported: a receiver polled in a loop is a consumer racing its producers.
pub fn poller(work: impl Fn(&Sender<u32>) + Send + 'static) {
    let (tx, rx) = channel();
    std::thread::spawn(move || loop {
        work(&tx);
    });
    loop {
        while let Ok(v) = rx.try_recv() {
            println!("{v}");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

pub struct Worker {
    jobs: Receiver<u32>,
}

// Still reported: a stored receiver that something reads as it comes.
pub fn worker() -> (Sender<u32>, Worker) {
    let (tx, rx) = channel();
    (tx.clone(), Worker { jobs: rx })
}

impl Worker {
    pub fn run(&self) {
        for job in self.jobs.iter() {
            println!("{job}");
        }
    }
}

pub struct Ui {
    events: Receiver<String>,
    shown: Vec<String>,
}

// Still reported: a UI draining a stored receiver every frame consumes as they send.
pub fn ui(watch: impl Fn(Sender<String>)) -> Ui {
    let (tx, rx) = channel();
    watch(tx);
    Ui { events: rx, shown: Vec::new() }
}

impl Ui {
    pub fn update(&mut self) {
        self.shown.extend(self.events.try_iter());
    }
}
