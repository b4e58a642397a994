//! Ticks.

/// Parses "5s".
pub fn parse_interval(spec: &str) -> Option<u64> {
    spec.strip_suffix('s')?.trim().parse().ok()
}

fn private_helper() -> u8 {
    1
}

pub(crate) fn crate_helper() -> u8 {
    2
}

pub fn untouched() -> u8 {
    3
}
