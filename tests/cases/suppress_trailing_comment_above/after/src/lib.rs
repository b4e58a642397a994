//! fixture

use chrono::Utc; // crabgate:allow(chrono-ban) legacy
use chrono::NaiveDate;
