// A pub enum of a private module that a `pub use` brings out is public.
mod error;
pub use error::LoadError;

// So is one of a private module re-exported whole.
mod inner {
    #[derive(Debug)]
    pub enum ParseError {
        Empty,
    }

    impl std::fmt::Display for ParseError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "empty")
        }
    }

    impl std::error::Error for ParseError {}
}
pub use inner::*;

// And one down a chain of pub modules.
pub mod api;

// A pub enum of a private module imported where a public trait impl shows it.
mod wire;
use crate::wire::WireError;

pub struct Codec;

impl std::str::FromStr for Codec {
    type Err = WireError;
    fn from_str(_: &str) -> Result<Self, WireError> {
        Err(WireError::Truncated)
    }
}
