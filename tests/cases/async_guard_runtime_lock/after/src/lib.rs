//! A crate on async-io alone: the async lock to name is async_lock's, not tokio's.
use std::sync::Mutex;

pub struct State {
    appearance: Option<u8>,
}

pub async fn appearance(state: &Mutex<State>, read: impl std::future::Future<Output = u8>) -> u8 {
    let mut guard = state.lock().unwrap();
    let value = read.await;
    // The guard is used again after the await: `drop(guard)` alone would not build.
    guard.appearance = Some(value);
    value
}
