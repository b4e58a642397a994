pub fn covered(n: u64) -> u64 {
    n
}

/// Exported and not benched: reported.
pub fn visible(n: u64) -> u64 {
    n + 1
}

mod inner {
    /// A private inline module nothing re-exports: no other crate can call it.
    pub fn private_inline(n: u64) -> u64 {
        n + 2
    }
}

pub mod open {
    /// A public inline module: reported.
    pub fn open_inline(n: u64) -> u64 {
        n + 3
    }
}

pub mod dev {
    pub use crate::rmap::ResourceMap;
}

pub fn leak() -> crate::internal::Leaked {
    crate::internal::Leaked
}
