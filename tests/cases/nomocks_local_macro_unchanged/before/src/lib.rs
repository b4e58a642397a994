//! A crate whose own `mock!` macro stands in for mockall's.
macro_rules! mock {
    ($name:ident) => {
        pub struct $name;
    };
}

/// Long enough that the pass parses only the changed item, not the file.
pub fn settle(values: &[u32]) -> u32 {
    let mut total = 0;
    for v in values {
        total += v * 2;
    }
    total
}

pub fn other(values: &[u32]) -> u32 {
    values.iter().copied().filter(|v| v % 3 == 0).sum()
}
