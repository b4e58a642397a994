async fn list(p: &std::path::Path) -> std::io::Result<usize> {
    let mut n = 0;
    for e in std::fs::read_dir(p)? {
        n += 1;
    }
    Ok(n)
}
