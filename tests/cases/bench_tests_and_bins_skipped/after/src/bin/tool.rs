pub fn in_bin() {}
fn main() {}
