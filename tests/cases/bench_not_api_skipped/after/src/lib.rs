use proc_macro::TokenStream;

#[proc_macro_derive(Interval, attributes(interval))]
pub fn derive_interval(input: TokenStream) -> TokenStream {
    input
}

#[proc_macro_attribute]
pub fn timed(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}

#[proc_macro]
pub fn interval(input: TokenStream) -> TokenStream {
    input
}

#[doc(hidden)]
pub fn __private_expand(n: u64) -> u64 {
    n * 2
}

#[doc(hidden)]
pub mod __support {
    pub fn helper(n: u64) -> u64 {
        n + 1
    }
}

pub struct Parser;

#[doc(hidden)]
impl Parser {
    pub fn internal(&self) -> u64 {
        1
    }
}

#[doc = "shown"]
pub fn documented(n: u64) -> u64 {
    n
}

/// Still the crate's API: reported.
pub fn parse_interval(s: &str) -> Option<u64> {
    s.parse().ok()
}
