//! fixture

fn z() {
    let x = chrono::Utc::now();
}

fn a() {
    let x = chrono::Utc::now();
}
