//! fixture

fn log() {
    println!("started at {}", chrono::Local::now());
    let v = vec![::chrono::Utc::now()];
    tracing::info!(chrono_ms = 5, "chrono::Utc::now()");
}
