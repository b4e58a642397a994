//! fixture

// crabgate:allow(chrono-ban)
use chrono::Utc;
