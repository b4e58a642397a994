use criterion::{criterion_group, criterion_main, Criterion};
use netkit::TcpListener;

fn bench(c: &mut Criterion) {
    c.bench_function("bind", |b| b.iter(|| TcpListener::bind("127.0.0.1:0")));
}

criterion_group!(benches, bench);
criterion_main!(benches);
