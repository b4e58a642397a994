pub fn helper(p: &str) -> String {
    std::fs::read_to_string(p).unwrap()
}
