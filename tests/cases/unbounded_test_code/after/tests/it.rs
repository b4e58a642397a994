#[test]
fn integration() {
    let (tx, _rx) = flume::unbounded::<u8>();
    drop(tx);
}
