//! fixture

/* crabgate:allow(chrono-ban) kept for the migration window */
use chrono::Utc;
