use async_channel::unbounded;

fn crossbeam() {
    let (a, ra) = crossbeam_channel::unbounded::<u8>();
    let (b, rb) = crossbeam_channel::bounded::<u8>(8);
    keep((a, b, ra, rb));
}

fn flume_by_path() {
    let (a, ra) = flume::unbounded::<u8>();
    let (b, rb) = flume::bounded::<u8>(8);
    keep((a, b, ra, rb));
}

fn async_chan() {
    let (a, ra) = unbounded::<u8>();
    let (b, rb) = async_channel::bounded::<u8>(8);
    keep((a, b, ra, rb));
}

mod by_glob {
    use flume::*;

    fn make() {
        let (a, ra) = unbounded::<u8>();
        keep((a, ra));
    }
}
