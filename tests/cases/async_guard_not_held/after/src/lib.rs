use std::sync::{Arc, Mutex};

async fn ok(state: Arc<Mutex<u32>>, t: Arc<tokio::sync::Mutex<u32>>) {
    let g = state.lock().unwrap();
    let v = *g;
    drop(g);
    flush().await;
    {
        let mut h = state.lock().unwrap();
        *h += 1;
    }
    flush().await;
    state.lock().unwrap().checked_add(1);
    flush().await;
    let mut tg = t.lock().await;
    *tg += 1;
    flush().await;
    let _ = state.lock().unwrap();
    flush().await;
    let later = state.lock().unwrap();
    tokio::spawn(async move {
        flush().await;
    });
    std::mem::drop(later);
    flush().await;
}

fn sync(state: Arc<Mutex<u32>>) {
    let g = state.lock().unwrap();
}

async fn flush() {}
