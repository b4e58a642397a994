use std::sync::mpsc;
use std::sync::mpsc::channel as make;

fn workers() {
    let (a, ra) = mpsc::channel::<u8>();
    let (b, rb) = std::sync::mpsc::channel::<u8>();
    let (c, rc) = make::<u8>();
    // sync_channel is the bounded std channel.
    let (d, rd) = mpsc::sync_channel::<u8>(16);
    let (e, re) = std::sync::mpsc::sync_channel::<u8>(16);
    keep((a, b, c, d, e, ra, rb, rc, rd, re));
}
