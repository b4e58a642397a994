use std::fs::File;
use std::io::Read;

pub async fn probe(p: &str) -> std::io::Result<()> {
    File::open(p)?;
    let _ = File::create(p);
    let f = std::fs::File::open(p).expect("there");
    let g = File::open(p).unwrap();
    drop(f);
    let mut s = String::new();
    g.take(1).read_to_string(&mut s)?;
    let h: File = File::open(p)?;
    let k = File::open(p)?;
    println!("{:?}", k);
    let _kept = File::create(p)?;
    Ok(())
}
