//! A crate whose description says it exists for tests: its channels are test plumbing.
use tokio::sync::mpsc;

pub fn admin_shutdown() -> (mpsc::UnboundedSender<()>, mpsc::UnboundedReceiver<()>) {
    mpsc::unbounded_channel()
}
