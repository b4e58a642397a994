mod store;
use crate::store::Store;

pub struct Cache;

impl Cache {
    fn fill(n: u64) {
        std::thread::sleep(std::time::Duration::from_millis(n));
    }
}

pub async fn open(p: &str) -> String {
    Cache::fill(1);
    Store::load(p)
}
