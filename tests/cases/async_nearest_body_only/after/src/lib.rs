async fn outer(paths: Vec<String>) -> usize {
    fn helper(p: &str) -> usize {
        std::fs::read(p).unwrap().len()
    }
    let sizes: Vec<usize> = paths.iter().map(|p| std::fs::read(p).unwrap().len()).collect();
    let later = move || std::thread::sleep(std::time::Duration::from_secs(1));
    helper("x") + sizes.len()
}

fn sync_only() {
    std::thread::sleep(std::time::Duration::from_secs(1));
}

struct S;
impl S {
    fn not_async(&self) -> Vec<u8> {
        std::fs::read("x").unwrap()
    }
}
