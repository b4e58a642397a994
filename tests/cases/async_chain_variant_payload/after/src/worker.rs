use crate::conn::Conn;
use crate::source::Source;

pub async fn next(conn: &mut Conn) -> Option<u8> {
    match conn {
        Conn::Sync(rx) => rx.recv().ok(),
        Conn::Async(rx) => rx.recv().await,
    }
}

pub async fn first(src: &Source, conn: Conn) -> usize {
    if let Source::File(f) = src {
        return f.load().len() + f.name().len();
    }
    let Conn::Sync(rx) = conn else { return 0 };
    rx.recv().unwrap() as usize
}

pub fn sync_only(src: &Source) -> usize {
    match src {
        Source::File(f) => f.load().len(),
        _ => 0,
    }
}
