pub fn in_main() {}
fn main() {}
