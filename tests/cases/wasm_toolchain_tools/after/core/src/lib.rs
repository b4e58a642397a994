pub fn load(path: &std::path::Path) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}
