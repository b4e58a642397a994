use std::fs::File;
use std::io;
use std::path::Path;

pub trait Opener {
    async fn open(&self, p: &Path) -> io::Result<File>;
}

pub struct Disk;

// The trait's signature wants std's File: tokio's would not build where it is returned.
impl Opener for Disk {
    async fn open(&self, p: &Path) -> io::Result<File> {
        File::open(p)
    }
}

pub async fn open_or_retry(p: &Path) -> io::Result<std::fs::File> {
    File::open(p)
        .or_else(|_| File::open(p.with_extension("bak")))
}

pub async fn open_early(p: &Path, first: bool) -> io::Result<File> {
    if first {
        return File::open(p);
    }
    Err(io::ErrorKind::NotFound.into())
}

// Not returned: the tokio twin fits.
pub async fn size(p: &Path) -> io::Result<u64> {
    let f = File::open(p)?;
    drop(f);
    Ok(0)
}

// Returned as tokio's File: the tokio twin is what it wants.
pub async fn open_tokio(p: &Path) -> io::Result<tokio::fs::File> {
    Ok(tokio::fs::File::from_std(File::open(p)?))
}
