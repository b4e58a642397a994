pub mod noop;
