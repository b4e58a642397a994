mod store;

pub async fn two() -> String {
    store::outer()
}

pub async fn three() -> String {
    crate::store::top()
}
