use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

async fn forms(m: Arc<Mutex<Vec<u32>>>, q: Arc<Mutex<VecDeque<u32>>>) {
    if let Ok(g) = m.lock() {
        flush(g.len()).await;
    }
    match m.lock().unwrap().first().copied() {
        Some(v) => flush(v as usize).await,
        None => {}
    }
    while let Some(j) = q.lock().unwrap().pop_front() {
        flush(j as usize).await;
    }
    match m.lock() {
        Ok(g) => flush(g.len()).await,
        Err(_) => {}
    }
    let Ok(g) = m.lock() else {
        return;
    };
    flush(g.len()).await;
}

async fn not_held(m: Arc<Mutex<Vec<u32>>>) {
    // A plain `if` drops its condition's temporaries before the block.
    if m.lock().unwrap().is_empty() {
        flush(0).await;
    }
    // `let … else` drops them at the end of the statement.
    let Some(v) = m.lock().unwrap().first().copied() else {
        return;
    };
    flush(v as usize).await;
    // The `else` of an `if let` is not checked.
    if let Some(v) = m.lock().unwrap().first().copied() {
        let _ = v;
    } else {
        flush(1).await;
    }
    // A guard dropped inside the block.
    if let Ok(g) = m.lock() {
        drop(g);
        flush(2).await;
    }
}

async fn flush(_n: usize) {}
