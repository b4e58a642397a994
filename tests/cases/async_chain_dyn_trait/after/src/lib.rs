mod store;
use crate::store::Store;

pub async fn by_dyn(s: &dyn Store) -> String {
    s.load()
}

pub async fn by_box(s: Box<dyn store::Store>) -> String {
    s.load()
}

pub async fn by_bound<S: Store>(s: &S) -> String {
    s.load()
}

pub async fn by_where<S>(s: S) -> String
where
    S: Store + Send,
{
    s.load()
}

pub async fn by_impl(s: impl Store) -> String {
    s.name()
}

pub async fn required(s: &dyn Store) -> String {
    s.path()
}
