//! fixture: suggestions that fit what was used

fn items() -> Vec<chrono::format::Item<'static>> {
    Vec::new()
}

fn zone<Tz: chrono::TimeZone>(tz: Tz) {}

fn later() {
    let d = chrono::Days::new(3);
    let r: chrono::LocalResult<u8> = todo!();
    let f = chrono::SecondsFormat::Millis;
}

fn parse(token: String) {
    let a = chrono::DateTime::parse_from_rfc3339(&token);
    let b = chrono::DateTime::parse_from_rfc3339(&format!("{token}Z"));
}

fn offsets(s: &str) {
    let z = chrono::DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S %z");
}
