//! fixture

pub use crate::offset::Utc;
mod offset { pub struct Utc; }
