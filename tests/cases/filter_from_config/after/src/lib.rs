//! fixture

use chrono::Utc;

fn a() {
    let one = chrono::Weekday::Mon;
    let two = chrono::Local::now();
    let three = chrono::NaiveDate::MIN;
}

fn b() {
    let x = chrono::Utc::now();
}
