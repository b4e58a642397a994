use chrono::Utc;
fn main() {}
