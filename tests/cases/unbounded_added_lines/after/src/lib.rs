fn old() {
    let (tx, _rx) = std::sync::mpsc::channel::<u8>();
    keep(tx);
}

fn new() {
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel::<u8>();
    keep(tx);
}
