pub struct Store {
    path: String,
}

impl Store {
    pub async fn reload(&self) -> String {
        self.load()
    }

    fn load(&self) -> String {
        Self::read_all(&self.path)
    }

    fn read_all(p: &str) -> String {
        std::fs::read_to_string(p).unwrap()
    }
}
