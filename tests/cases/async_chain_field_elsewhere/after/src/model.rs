use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, Mutex};

pub struct Worker {
    pub rx: Receiver<u32>,
    pub tx: SyncSender<u32>,
    pub shared: Arc<Mutex<Receiver<u32>>>,
    pub name: String,
}
