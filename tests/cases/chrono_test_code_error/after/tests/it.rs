use chrono::Utc;

#[test]
fn stamps() {
    let _ = Utc::now();
}
