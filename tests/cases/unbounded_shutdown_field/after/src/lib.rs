// A sender kept in a private field and only closed (a shutdown signal):
// the queue never holds a message.
pub struct Pool {
    shutdown_tx: async_channel::Sender<()>,
    shutdown_rx: async_channel::Receiver<()>,
}

impl Pool {
    pub fn new() -> Self {
        let (shutdown_tx, shutdown_rx) = async_channel::unbounded::<()>();
        Pool { shutdown_tx, shutdown_rx }
    }

    pub fn is_shut(&self) -> bool {
        self.shutdown_rx.is_closed()
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shutdown_tx.close();
    }
}

// The same, but something sends through the field: it can grow.
pub struct Events {
    tx: async_channel::Sender<u32>,
}

impl Events {
    pub fn new() -> (Self, async_channel::Receiver<u32>) {
        let (tx, rx) = async_channel::unbounded();
        (Events { tx }, rx)
    }

    pub fn emit(&self, e: u32) {
        let _ = self.tx.try_send(e);
    }
}

// A public field: others may send through it.
pub struct Open {
    pub tx: async_channel::Sender<()>,
}

pub fn open() -> (Open, async_channel::Receiver<()>) {
    let (tx, rx) = async_channel::unbounded();
    (Open { tx }, rx)
}
