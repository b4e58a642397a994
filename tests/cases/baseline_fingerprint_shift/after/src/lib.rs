// a header added above
// and another line

//! fixture

use chrono::Utc;

/// doc
fn a() -> i64 {
    chrono::Utc::now().timestamp()
}
