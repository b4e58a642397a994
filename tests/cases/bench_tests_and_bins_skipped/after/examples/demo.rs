pub fn in_example() {}
fn main() {}
