//! Job queue.
use tokio::sync::mpsc::{self, unbounded_channel as uc};

fn queues() {
    let (tx, rx) = mpsc::unbounded_channel::<u32>();
    let (tx2, rx2) = uc::<u32>();
    let (tx3, rx3) = ::tokio::sync::mpsc::unbounded_channel::<u32>();
    // Bounded: the tokio `channel` takes a capacity.
    let (tx4, rx4) = mpsc::channel::<u32>(64);
    keep((tx, tx2, tx3, tx4, rx, rx2, rx3, rx4));
}
