// `crate::mpsc` is the crate's own module, not the std::sync::mpsc imported here.
use crate::mpsc::channel;
use std::sync::mpsc;

fn make() {
    let (tx, _rx) = channel::<u8>(16);
    let (a, _b) = mpsc::sync_channel::<u8>(1);
    drop((tx, a));
}
