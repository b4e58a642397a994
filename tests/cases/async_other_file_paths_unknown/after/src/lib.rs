// Paths into other files of the crate cannot be seen from here: not reported.
mod util;
use crate::util::read_all;
use super::blocking::sleep;

async fn f(p: &str) {
    let _ = read_all(p);
    sleep(1);
    util::slow(p);
}
