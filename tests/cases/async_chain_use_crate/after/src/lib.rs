mod config;
pub mod server;
