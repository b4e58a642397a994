pub(crate) mod error;

pub struct Options {
    pub layout: bool,
}

use std::error::Error;

// Named inside the crate only, never imported where a public signature could show it.
pub fn describe(e: &dyn Error) -> String {
    let _ = error::Error::NoLayout;
    e.to_string()
}
