fn bench() {
    let _ = chrono::Utc::now();
}
