pub async fn reload(p: &str) -> String {
    load_config(p)
}

pub async fn again(p: &str) -> usize {
    let s = load_config(p);
    s.len()
}

fn load_config(p: &str) -> String {
    p.to_string()
}

pub fn sync_user(p: &str) -> String {
    load_config(p)
}
