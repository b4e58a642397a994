pub fn in_build() {}
fn main() {}
