use std::fmt;

#[derive(Debug)]
pub enum Error {
    NoLayout,
    InvalidPointerSize,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "codegen failed")
    }
}

impl std::error::Error for Error {}
