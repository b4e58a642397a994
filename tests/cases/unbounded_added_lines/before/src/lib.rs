fn old() {
    let (tx, rx) = std::sync::mpsc::channel::<u8>();
    keep((tx, rx));
}
