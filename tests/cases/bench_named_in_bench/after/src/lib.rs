//! Ticks.

/// Parses "5s".
pub fn parse_interval(spec: &str) -> Option<u64> {
    spec.strip_suffix('s')?.parse().ok()
}

fn private_helper() -> u8 {
    1
}

pub(crate) fn crate_helper() -> u8 {
    2
}
