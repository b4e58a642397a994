pub async fn reload(p: &str) -> usize {
    let n = crate::mid::load(p);
    n + 1
}
