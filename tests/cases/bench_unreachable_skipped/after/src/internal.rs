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
