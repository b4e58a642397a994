use std::fs;

async fn save(p: &str, data: &[u8]) {
    fs::write(p, data).unwrap();
    fs::create_dir_all("out").unwrap();
}

fn sync_save(p: &str) {
    fs::write(p, b"x").unwrap();
}
