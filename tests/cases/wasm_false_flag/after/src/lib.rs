#[macro_use]
mod macros;
mod builder;
mod scheduler;

pub use builder::Builder;
