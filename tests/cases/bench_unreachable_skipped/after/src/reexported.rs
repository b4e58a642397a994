/// Brought out by `pub use reexported::Exported` in lib.rs: reported.
pub struct Exported;

impl Exported {
    pub fn run(&self) -> u64 {
        3
    }
}
