//! Helpers for the asynchronous server, written without async code.

pub fn helper(p: &str) -> String {
    p.to_string()
}
