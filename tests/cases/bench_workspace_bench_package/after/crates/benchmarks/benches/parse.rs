use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
    c.bench_function("x", |b| b.iter(|| core_lib::parse(black_box("x"))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
