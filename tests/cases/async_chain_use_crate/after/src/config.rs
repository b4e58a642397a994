use std::fs;

pub fn load(p: &str) -> String {
    fs::read_to_string(p).unwrap()
}
