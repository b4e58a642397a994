#[derive(Debug)]
pub enum WireError {
    Truncated,
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "truncated")
    }
}

impl std::error::Error for WireError {}
