//! fixture

use chrono::Utc;

fn zero() {}

fn a() -> i64 {
    chrono::Utc::now().timestamp()
}
