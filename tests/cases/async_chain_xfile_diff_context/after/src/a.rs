//! Helpers for the asynchronous server, written without async code.

pub fn helper(p: &str) -> String {
    std::fs::read_to_string(p).unwrap()
}
