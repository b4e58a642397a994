mod fixtures;

// Only in the crate's own test build: its files are no API.
#[cfg(test)]
pub mod mock;
