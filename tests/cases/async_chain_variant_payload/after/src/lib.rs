mod conn;
pub mod source;
pub mod worker;
