//! fixture

fn a() {
    let x = chrono::Utc::now();
    let x = chrono::Utc::now();
}
