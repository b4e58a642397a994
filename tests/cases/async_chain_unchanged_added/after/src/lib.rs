pub async fn reload(p: &str) -> String {
    load_config(p)
}

fn load_config(p: &str) -> String {
    std::fs::read_to_string(p).unwrap()
}

pub fn version() -> u32 {
    2
}
