pub fn helper() {}
fn main() {}
