pub fn load(p: &str) -> String {
    p.to_string()
}
