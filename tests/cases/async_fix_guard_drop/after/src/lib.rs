use std::sync::{Arc, Mutex};

async fn after_last_use(state: Arc<Mutex<u32>>) {
    let mut n = state.lock().unwrap();
    *n += 1;
    if true {
        tokio::task::yield_now().await;
    }
}

async fn used_after(state: Arc<Mutex<u32>>) -> u32 {
    let n = state.lock().unwrap();
    tokio::task::yield_now().await;
    *n
}

async fn used_by_the_await(state: Arc<Mutex<u32>>) {
    let n = state.lock().unwrap();
    report(*n).await;
}

async fn in_a_macro_after(state: Arc<Mutex<u32>>) {
    let n = state.lock().unwrap();
    tokio::task::yield_now().await;
    println!("{}", n);
}

async fn awaited_mid_line(state: Arc<Mutex<u32>>) {
    let n = state.lock().unwrap(); tokio::task::yield_now().await;
}

async fn report(_: u32) {}
