use std::thread::sleep;
use std::time::Duration;

async fn backoff(d: Duration) {
    sleep(d);
}
