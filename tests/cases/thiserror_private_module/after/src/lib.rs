// Private modules: their pub enums are not the crate's API.
mod codegen;

// Re-exports something else of the private module, not the module itself.
pub use codegen::Options;

mod handler {
    use std::fmt;

    #[derive(Debug)]
    pub enum HandlerQueryErr {
        Timeout,
        Closed,
    }

    impl fmt::Display for HandlerQueryErr {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "query failed")
        }
    }

    impl std::error::Error for HandlerQueryErr {}
}
