// `crate::sys::read` is the crate's own function, whatever `fs` means here.
use crate::sys::read;
use std::fs;
use std::os::unix::io::FromRawFd;

fn load() {
    let _ = read();
    let _ = fs::read("x");
    let _ = unsafe { std::fs::File::from_raw_fd(3) };
}
