pub fn read() -> std::io::Result<Vec<u8>> {
    std::fs::read("x")
}
