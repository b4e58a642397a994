#[cfg(test)]
mod tests;

pub fn add(a: u32, b: u32) -> u32 {
    a + b
}

#[test]
fn adds() {
    let start = std::time::Instant::now();
    assert_eq!(add(1, 2), 3);
    let _ = start;
}
