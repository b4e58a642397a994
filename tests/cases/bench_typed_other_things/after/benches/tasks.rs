use criterion::{criterion_group, criterion_main, Criterion};
use rt_kit::JoinSet;
use std::fmt::Write;

fn bench(c: &mut Criterion) {
    let mut set = JoinSet::build();
    let v = vec![1, 2, 3];
    let name = "tasks";
    let writable = true;
    let lock = std::sync::RwLock::new(0);
    let mut s = String::new();
    c.bench_function(name, |b| {
        b.iter(|| {
            set.spawn_blocking();
            let _ = v.len();
            let _ = v.iter().map(|x| x + 1).count();
            let _ = lock.write();
            let _ = write!(s, "{}", writable);
            let _ = std::sync::mpsc::sync_channel::<u8>(1);
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
