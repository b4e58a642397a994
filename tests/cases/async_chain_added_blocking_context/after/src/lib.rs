pub async fn reload(p: &str) -> String {
    load_config(p)
}

pub async fn again(p: &str) -> usize {
    let s = load_config(p);
    s.len()
}

fn load_config(p: &str) -> String {
    std::fs::read_to_string(p).unwrap()
}

pub fn sync_user(p: &str) -> String {
    load_config(p)
}
