use crate::a::helper;

pub async fn reload(p: String) -> String {
    tokio::task::spawn_blocking(move || helper(&p)).await.unwrap()
}
