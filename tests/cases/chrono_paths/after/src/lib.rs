//! fixture

struct Event {
    at: chrono::DateTime<chrono::Utc>,
}

fn now() -> i64 {
    let t = chrono::Utc::now();
    match day() {
        chrono::Weekday::Mon => 1,
        _ => 2,
    }
}

impl chrono::TimeZone for Mars {}
