use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

async fn probe(p: &Path, dir: PathBuf) -> std::io::Result<()> {
    if p.exists() {}
    let f = p.is_file();
    let d = dir.join("x").is_dir();
    let m = p.metadata()?;
    let c = dir.canonicalize()?;
    let n = Path::new("/etc").read_dir()?.count();
    let built = PathBuf::from("/tmp").exists();
    let ufcs = Path::exists(p);
    assert!(Path::new("Cargo.toml").exists());
    Ok(())
}

async fn io(p: &Path) -> std::io::Result<()> {
    let mut f = File::open(p)?;
    let mut s = String::new();
    f.read_to_string(&mut s)?;
    let mut out = File::create("out")?;
    out.write_all(s.as_bytes())?;
    out.sync_all()?;
    Ok(())
}

async fn not_paths(s: String, v: Vec<u8>) {
    // Same method names on other types are not file system calls.
    let e = s.is_empty();
    let x = v.iter().any(|b| *b == 0);
    let name = Path::new("a/b").file_name();
}
