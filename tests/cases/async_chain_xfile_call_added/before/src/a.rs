pub fn helper(p: &str) -> String {
    p.to_string()
}

pub async fn local(p: &str) -> String {
    helper(p)
}
