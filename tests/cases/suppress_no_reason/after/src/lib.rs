//! fixture

// crabgate:allow(chrono-ban)
use chrono::Utc;
use chrono::NaiveDate; // crabgate:allow(chrono-ban)   
