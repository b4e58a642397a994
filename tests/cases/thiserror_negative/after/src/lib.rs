use std::fmt;

/// Derived: nothing to say.
#[derive(Debug, thiserror::Error)]
pub enum Derived {
    #[error("gone")]
    Gone,
}

/// Not public: the crate's own business.
#[derive(Debug)]
enum Private {
    A,
}

impl fmt::Display for Private {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("private")
    }
}

impl std::error::Error for Private {}

/// A struct, not an enum.
#[derive(Debug)]
pub struct Plain;

impl fmt::Display for Plain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("plain")
    }
}

impl std::error::Error for Plain {}

/// `Error` here is the crate's own trait, not std's.
pub trait Error {}

#[derive(Debug)]
pub enum Local {
    A,
}

impl Error for Local {}

#[derive(Debug)]
pub(crate) enum CrateOnly {
    A,
}

impl fmt::Display for CrateOnly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("crate")
    }
}

impl std::error::Error for CrateOnly {}
