use chrono::Utc;

pub fn stamp() -> i64 {
    let _d = chrono::Duration::seconds(5);
    let _n = chrono::NaiveDate::from_ymd_opt(2024, 1, 2);
    let _x = chrono::Local::now();
    let _m = chrono::Utc::now().timestamp_millis();
    let _u = Utc::now();
    let _v = chrono::NaiveDate::from_ymd_opt(_d.num_days() as i32, 1, 2);
    chrono::Utc::now().timestamp()
}
