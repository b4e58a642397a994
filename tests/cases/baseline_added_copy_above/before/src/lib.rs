//! fixture

fn a() {
    let x = chrono::Utc::now();
}
