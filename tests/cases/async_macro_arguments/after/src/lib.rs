use std::sync::mpsc;

async fn log(p: &str) {
    println!("{}", std::fs::read_to_string(p).unwrap());
    let (tx, rx) = mpsc::sync_channel::<u8>(1);
    tracing::info!(value = ?rx.recv().unwrap(), "got");
    tokio::select! {
        r = tokio::fs::read(p) => { let _ = r; }
        _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
    let (a, b) = tokio::join!(tokio::fs::read(p), tokio::fs::read_to_string(p));
    assert!(format!("{:?}", std::process::Command::new("ls").output()).len() > 0);
    let v = vec![std::fs::read(p).unwrap()];
}

fn sync_macros(p: &str) {
    println!("{}", std::fs::read_to_string(p).unwrap());
}
