pub struct FileSource {
    path: String,
}

impl FileSource {
    pub fn load(&self) -> String {
        std::fs::read_to_string(&self.path).unwrap()
    }

    pub fn name(&self) -> &str {
        &self.path
    }
}

pub struct Memory(pub String);

impl Memory {
    pub fn load(&self) -> String {
        self.0.clone()
    }
}

pub enum Source {
    File(FileSource),
    Memory(Memory),
    Named(String, FileSource),
}

impl Source {
    pub async fn read(&self) -> String {
        match self {
            Source::File(f) => f.load(),
            Source::Memory(m) => m.load(),
            Self::Named(_, f) => f.load(),
        }
    }
}
