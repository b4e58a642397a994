// `time` is tokio's on wasm too (the crate's `timers` feature asks for it), `rt` is asked for there: built for wasm.
use tokio::time::Duration;
use tokio::runtime::Handle;

pub fn now() -> std::time::Instant {
    std::time::Instant::now()
}
