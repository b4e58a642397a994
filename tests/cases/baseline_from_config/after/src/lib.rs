//! fixture

use chrono::Utc;
use chrono::Local;

fn a() -> i64 {
    chrono::Utc::now().timestamp()
}
