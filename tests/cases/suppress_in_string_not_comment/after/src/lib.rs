//! fixture

fn f() {
    let s = "// crabgate:allow(chrono-ban) a string, not a comment"; let t = chrono::Utc::now();
}
