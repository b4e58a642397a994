/// Brought out by `pub use reexported::Exported` in lib.rs: reported.
pub struct Exported;

impl Exported {
    pub fn run(&self) -> u64 {
        3
    }
}

/// The module is only a path to Exported and Grouped: its other items stay private, not reported.
pub struct Hidden;

impl Hidden {
    pub fn go(&self) -> u64 {
        4
    }
}

pub fn loose() -> u64 {
    5
}

/// `pub(crate) use` brings it out to the crate only: not reported.
pub struct Crated;

impl Crated {
    pub fn go(&self) -> u64 {
        6
    }
}

/// In a group, renamed: reported.
pub struct Grouped;

impl Grouped {
    pub fn go(&self) -> u64 {
        7
    }
}

macro_rules! cfg_net {
    ($($item:item)*) => { $($item)* };
}

impl Exported {
    cfg_net! {
        /// Inside an item macro in the impl: still Exported's method, reported.
        pub fn connect(&self) -> u64 {
            8
        }
    }
}
