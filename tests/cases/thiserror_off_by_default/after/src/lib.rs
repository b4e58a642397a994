use std::error::Error;
use std::fmt;

#[derive(Debug)]
pub enum LoadError {
    Io(std::io::Error),
    Empty,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("load failed")
    }
}

impl Error for LoadError {}

#[derive(Debug)]
pub enum ParseError<T> {
    Bad(T),
}

impl<T: fmt::Debug> fmt::Display for ParseError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self)
    }
}

impl<T: fmt::Debug> std::error::Error for ParseError<T> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        None
    }
}

mod inner {
    use std::error;

    #[derive(Debug)]
    pub enum Inner {
        A,
    }

    impl std::fmt::Display for Inner {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("inner")
        }
    }

    impl error::Error for Inner {}
}
