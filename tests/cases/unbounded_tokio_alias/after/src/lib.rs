//! Job queue.
use tokio::sync::mpsc::{self, unbounded_channel as uc};

fn queues() {
    let (tx, _rx) = mpsc::unbounded_channel::<u32>();
    let (tx2, _rx2) = uc::<u32>();
    let (tx3, _rx3) = ::tokio::sync::mpsc::unbounded_channel::<u32>();
    // Bounded: the tokio `channel` takes a capacity.
    let (tx4, _rx4) = mpsc::channel::<u32>(64);
    keep((tx, tx2, tx3, tx4));
}
