use std::time::Instant;

// The timer module, compiled on wasm, makes one: its methods run there.
pub(crate) struct Clock;

impl Clock {
    pub(crate) fn now(&self) -> Instant {
        Instant::now()
    }
}
