use async_channel::unbounded;

fn crossbeam() {
    let (a, _ra) = crossbeam_channel::unbounded::<u8>();
    let (b, _rb) = crossbeam_channel::bounded::<u8>(8);
    keep((a, b));
}

fn flume_by_path() {
    let (a, _ra) = flume::unbounded::<u8>();
    let (b, _rb) = flume::bounded::<u8>(8);
    keep((a, b));
}

fn async_chan() {
    let (a, _ra) = unbounded::<u8>();
    let (b, _rb) = async_channel::bounded::<u8>(8);
    keep((a, b));
}

mod by_glob {
    use flume::*;

    fn make() {
        let (a, _ra) = unbounded::<u8>();
        keep(a);
    }
}
