fn a() -> i64 {
    chrono::Utc::now().timestamp()
}
