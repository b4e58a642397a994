use std::sync::mpsc;
use std::sync::mpsc::channel as make;

fn workers() {
    let (a, _ra) = mpsc::channel::<u8>();
    let (b, _rb) = std::sync::mpsc::channel::<u8>();
    let (c, _rc) = make::<u8>();
    // sync_channel is the bounded std channel.
    let (d, _rd) = mpsc::sync_channel::<u8>(16);
    let (e, _re) = std::sync::mpsc::sync_channel::<u8>(16);
    keep((a, b, c, d, e));
}
