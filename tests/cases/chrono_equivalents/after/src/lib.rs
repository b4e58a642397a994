//! fixture

fn f(s: &str) {
    let a = chrono::Local::now();
    let b: chrono::NaiveDateTime = todo!();
    let c = chrono::Duration::seconds(5);
    let d = chrono::DateTime::parse_from_rfc3339(s);
    let e = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d");
    let g: chrono::DateTime<chrono::FixedOffset> = todo!();
    let h = chrono::Utc::now().timestamp();
    let i: chrono::NaiveTime = todo!();
}
