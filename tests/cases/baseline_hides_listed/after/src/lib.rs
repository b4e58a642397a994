//! fixture

use chrono::Utc;

fn a() -> i64 {
    chrono::Utc::now().timestamp()
}

fn b() {
    let d = chrono::NaiveDate::from_ymd_opt(2024, 1, 1);
}
