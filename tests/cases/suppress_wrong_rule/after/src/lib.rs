//! fixture

// crabgate:allow(missing-bench) not a chrono excuse
use chrono::Utc;
// crabgate:allow(chrono-ban-extra) neither
use chrono::NaiveDate;
