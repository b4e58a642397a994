use std::thread::{self, JoinHandle};

pub async fn typed_let() {
    let handles: Vec<JoinHandle<u32>> = make();
    for h in handles {
        h.join().unwrap();
    }
}

pub async fn parameter(handles: Vec<std::thread::JoinHandle<()>>, more: Vec<JoinHandle<()>>) {
    handles.into_iter().for_each(|h| {
        h.join().unwrap();
    });
    let _done: Vec<_> = more.into_iter().map(|h| h.join()).collect();
}

pub async fn pushed(n: usize) {
    let mut handles = Vec::new();
    for i in 0..n {
        handles.push(thread::spawn(move || i));
    }
    for h in handles {
        let _ = h.join();
    }
    let mut rest = Vec::new();
    rest.push(thread::spawn(|| 0));
    while let Some(h) = rest.pop() {
        h.join().unwrap();
    }
}

pub async fn collected(n: u32) -> u32 {
    let handles: Vec<_> = (0..n).map(|i| thread::spawn(move || i)).collect();
    let mut sum = 0;
    for h in handles {
        sum += h.join().unwrap();
    }
    let others: Vec<_> = (0..n)
        .map(|i| {
            let j = i + 1;
            std::thread::spawn(move || j)
        })
        .collect();
    others.into_iter().map(|h| h.join().unwrap()).sum::<u32>() + sum
}

pub async fn not_join_handles(tasks: Vec<tokio::task::JoinHandle<()>>, names: Vec<String>) {
    // Elements of other types, or of a type not shown, are not reported.
    for t in tasks {
        t.await.unwrap();
    }
    for n in &names {
        n.len();
    }
    let mut unknown = Vec::new();
    unknown.push(start());
    for h in unknown {
        h.join();
    }
    let lengths: Vec<_> = names.iter().map(|n| n.len()).collect();
    for l in lengths {
        l.join();
    }
}

pub fn sync_context(handles: Vec<JoinHandle<()>>) {
    for h in handles {
        h.join().unwrap();
    }
}

fn make() -> Vec<JoinHandle<u32>> {
    Vec::new()
}
