// A std File used through std::io::Write with no finding of its own (write!,
// or write_all chained on the open: a chain reports its first blocking call)
// stays std: tokio's File implements neither, so the tokio replacement alone
// does not build (tokio tests/fs_link.rs, leptos_config tests). A method that
// is reported itself (read_to_end, leptos sitemap) names its tokio call, and
// with it the tokio open builds: both findings say tokio.
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

pub async fn touch(src: &Path) {
    File::create(src).unwrap().write_all(b"hello").unwrap();
}

pub async fn write_config(p: &Path) {
    let mut output = File::create(p).unwrap();
    write!(output, "[package]").unwrap();
}

pub async fn load(p: &Path) -> Vec<u8> {
    let mut file = File::open(p).unwrap();
    let mut contents = vec![];
    file.read_to_end(&mut contents).ok();
    contents
}

// Not a File: tokio::fs::read gives the same Vec<u8>, whose std::io::Write
// methods build either way, so the tokio replacement stays.
pub async fn append(p: &Path) -> Vec<u8> {
    let mut data = std::fs::read(p).unwrap();
    data.write_all(b"!").unwrap();
    data
}
