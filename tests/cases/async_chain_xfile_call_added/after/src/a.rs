pub fn helper(p: &str) -> String {
    std::fs::read_to_string(p).unwrap()
}

pub async fn local(p: &str) -> String {
    helper(p)
}
