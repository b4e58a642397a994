fn pipe() {
    let _ = std::fs::File::open("NUL");
}
