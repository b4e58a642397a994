fn main() {
    let _ = std::time::SystemTime::now();
}
