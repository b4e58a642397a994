fn old() {
    let (tx, rx) = std::sync::mpsc::channel::<u8>();
    keep((tx, rx));
}

fn new() {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<u8>();
    keep((tx, rx));
}
