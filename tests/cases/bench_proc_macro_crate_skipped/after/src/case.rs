use proc_macro::TokenStream;

/// A proc-macro crate exports its macros alone: no other crate can call this.
pub enum Case {
    Snake,
}

impl Case {
    pub fn apply(&self, input: TokenStream) -> TokenStream {
        input
    }
}

pub fn from_str(s: &str) -> Option<Case> {
    (s == "snake").then_some(Case::Snake)
}
