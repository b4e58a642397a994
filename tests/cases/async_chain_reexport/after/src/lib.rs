mod read;
mod step;
mod util;
pub mod server;

pub use self::util::helper;
