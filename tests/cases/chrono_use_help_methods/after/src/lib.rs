//! fixture

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

fn f(input: &str, tz: &chrono_tz::Tz) -> String {
    let d = NaiveDate::parse_from_str(input, "%d.%m.%Y");
    let t: DateTime<Utc> = Utc::now();
    let z = t.with_timezone(tz);
    format!("{}", t.format("%H:%M"))
}
