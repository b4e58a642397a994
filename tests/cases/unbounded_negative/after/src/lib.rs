//! Nothing here creates an unbounded channel.
use tokio::sync::mpsc;
use flume::*;

// A comment naming std::sync::mpsc::channel() and flume::unbounded() is not a call.
const DOC: &str = "crossbeam_channel::unbounded()";

/// Shadows the glob import of flume.
fn unbounded() -> u8 {
    0
}

fn bounded_everywhere() {
    let (a, _ra) = mpsc::channel::<u8>(8);
    let (b, _rb) = std::sync::mpsc::sync_channel::<u8>(8);
    let (c, _rc) = crossbeam_channel::bounded::<u8>(8);
    let (d, _rd) = flume::bounded::<u8>(8);
    let (e, _re) = async_channel::bounded::<u8>(8);
    let f = unbounded();
    drop((a, b, c, d, e, f, DOC));
}
