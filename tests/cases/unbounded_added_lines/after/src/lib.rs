fn old() {
    let (tx, _rx) = std::sync::mpsc::channel::<u8>();
    drop(tx);
}

fn new() {
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel::<u8>();
    drop(tx);
}
