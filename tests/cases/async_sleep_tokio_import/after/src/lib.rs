use tokio::time::sleep;
use std::time::Duration;

async fn backoff(d: Duration) {
    sleep(d).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
}
