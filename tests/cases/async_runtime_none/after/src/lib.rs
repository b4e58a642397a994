use std::time::Duration;

pub async fn tick(d: Duration) {
    std::thread::sleep(d);
    let _ = std::fs::read_to_string("a.txt");
}
