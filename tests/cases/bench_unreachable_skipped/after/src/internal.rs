/// A private module nothing re-exports.
pub fn hidden(n: u64) -> u64 {
    n
}

pub struct Hidden;

impl Hidden {
    pub fn go(&self) -> u64 {
        2
    }
}

/// Private, but api::leak hands one out: its methods can be called, its constructor cannot be named.
pub struct Leaked;

impl Leaked {
    pub fn size(&self) -> u64 {
        3
    }

    pub fn make() -> Self {
        Leaked
    }
}
