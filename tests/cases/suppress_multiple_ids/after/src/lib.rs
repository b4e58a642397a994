//! fixture

// crabgate:allow(missing-bench, chrono-ban) generated bindings
pub fn stamp() -> chrono::NaiveDate { todo!() }
