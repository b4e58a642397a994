// Declared by #[path], gated by cfg: the file's own name does not say which.
#[path = "unix/mod.rs"]
#[cfg(unix)]
mod imp;

#[path = "windows.rs"]
#[cfg(windows)]
mod imp;
