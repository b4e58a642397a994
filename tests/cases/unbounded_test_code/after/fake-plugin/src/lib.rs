//! A crate that exists for tests: its channels are test plumbing.
use std::sync::mpsc::{channel, Receiver, Sender};

pub fn fake_pipe() -> (Sender<Vec<u8>>, Receiver<Vec<u8>>) {
    let (tx, rx) = channel();
    (tx, rx)
}
