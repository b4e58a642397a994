pub trait Store {
    fn path(&self) -> String;

    fn load(&self) -> String {
        std::fs::read_to_string(self.path()).unwrap()
    }

    fn name(&self) -> String {
        self.path().to_uppercase()
    }
}
