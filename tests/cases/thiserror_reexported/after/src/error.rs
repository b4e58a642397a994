#[derive(Debug)]
pub enum LoadError {
    Io(std::io::Error),
    Empty,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "load failed")
    }
}

impl std::error::Error for LoadError {}
