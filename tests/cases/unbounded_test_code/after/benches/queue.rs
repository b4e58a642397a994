fn bench() {
    let (tx, _rx) = crossbeam_channel::unbounded::<u8>();
    drop(tx);
}
