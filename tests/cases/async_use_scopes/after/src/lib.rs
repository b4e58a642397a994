use std::fs;

fn config_path() -> String {
    String::from_utf8(fs::read("path.txt").unwrap()).unwrap()
}

async fn load(p: &str) -> Vec<u8> {
    use tokio::fs;
    let f = fs::read(p);
    f.await.unwrap()
}

async fn load_blocking(p: &str) -> Vec<u8> {
    fs::read(p).unwrap()
}

mod net {
    use tokio::fs;

    async fn cache(p: &str) {
        let _ = fs::remove_file(p);
    }
}
