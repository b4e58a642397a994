//! fixture

use chrono::Utc;

fn a() {
    let one = chrono::Weekday::Mon;
    let two = 2;
}

fn b() {
    let x = chrono::Utc::now();
}
