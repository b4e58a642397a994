// Only compiled for tests: lib.rs declares it under #[cfg(test)].
fn pair() {
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel::<u8>();
    drop(tx);
}
