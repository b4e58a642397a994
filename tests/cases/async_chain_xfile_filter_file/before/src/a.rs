pub fn helper(p: &str) -> String {
    p.to_string()
}
