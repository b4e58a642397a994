use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
    c.bench_function("x", |b| b.iter(|| ticker::parse_interval("1s")));
}

criterion_group!(benches, bench);
criterion_main!(benches);
