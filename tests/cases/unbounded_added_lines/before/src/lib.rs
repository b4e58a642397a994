fn old() {
    let (tx, _rx) = std::sync::mpsc::channel::<u8>();
    keep(tx);
}
