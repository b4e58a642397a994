#[test]
fn threads() {
    std::thread::spawn(|| ()).join().unwrap();
}
