use std::fs;
use std::fs::read_to_string;
use std::thread::sleep as nap;
use std::time::Duration;

pub async fn load(p: &str, q: &str) -> std::io::Result<String> {
    std::thread::sleep(Duration::from_millis(10));
    nap(Duration::from_millis(1));
    let a = std::fs::read_to_string(p)?;
    let b = fs::read(p).unwrap();
    let c = read_to_string(p).expect("readable");
    fs::write(q, &b)?;
    let n = std::fs::copy(p, q)?;
    let f = std::fs::File::open(p)?;
    let d = std::fs::read::<&str>(p)?;
    let e = std::fs::read_dir(p)?;
    drop((f, d, e));
    Ok(format!("{a}{c}{n}"))
}
