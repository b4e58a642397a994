use std::time::Duration;

async fn load(p: &str, d: Duration) -> std::io::Result<String> {
    std::thread::sleep(d);
    let out = std::process::Command::new("ls").output()?;
    let ok = std::fs::exists(p)?;
    std::fs::read_to_string(p)
}
