//! fixture

use chrono::Utc;

fn a() -> i64 {
    chrono::Utc::now().timestamp()
}
