// Benchmarks run on the host.
fn bench() {
    let _ = std::time::Instant::now();
}
