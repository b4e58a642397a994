//! fixture

use chrono::Utc; // crabgate:allow(chrono-ban) the v1 wire format is chrono's
use chrono::NaiveDate;
