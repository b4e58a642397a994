fn main() {
    for e in std::fs::read_dir("dist").unwrap() {
        let _ = e;
    }
}
