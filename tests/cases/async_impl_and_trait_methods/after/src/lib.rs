struct Store {
    path: String,
}

impl Store {
    async fn load(&self) -> Vec<u8> {
        std::fs::read(&self.path).unwrap()
    }
}

trait Loader {
    async fn fetch(&self) -> Vec<u8>;
}

impl Loader for Store {
    async fn fetch(&self) -> Vec<u8> {
        std::thread::sleep(std::time::Duration::from_secs(1));
        Vec::new()
    }
}
