use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
    c.bench_function("x", |b| b.iter(|| engine::api::covered(black_box(5))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
