pub mod net;
#[cfg(test)]
pub mod debug;
