use std::{
    fs::{self as stdfs, File},
    thread::{sleep as nap},
    io::{self, Read as _},
};

async fn f(p: &str) {
    stdfs::write(p, b"x").unwrap();
    let _f = File::open(p).unwrap();
    nap(std::time::Duration::from_secs(1));
    let _ = io::copy(&mut io::stdin(), &mut io::sink());
}
