pub fn total(xs: &[u64]) -> u64 {
    let mut s = 0;
    for x in xs {
        s += x * 2;
    }
    s
}
