//! A benchmark is a crate of its own: it can call what this crate exports, nothing else.

pub mod api;
pub mod gen;
mod imp;
mod internal;
pub(crate) mod helpers;
mod reexported;

pub use reexported::Exported;
pub(crate) use reexported::Crated;
pub use crate::reexported::{Grouped as G};

pub struct Engine;
mod rmap;
