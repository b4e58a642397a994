//! fixture

    // crabgate:allow(chrono-ban) vendored parser, replaced in #42
use chrono::Utc;
use chrono::NaiveDate;
