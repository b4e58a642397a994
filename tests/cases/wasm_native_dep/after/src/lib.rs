#[cfg(any(test, feature = "__private"))]
pub(crate) mod test_helpers;
mod clock;
mod files;
mod server;
