mod tests_helpers;

#[cfg(test)]
mod tests {
    pub fn fixture() -> u8 {
        1
    }
}

#[cfg(all(test, feature = "slow"))]
pub fn slow_fixture() {}

#[test]
pub fn a_test() {}
