pub async fn reload(p: String) -> String {
    tokio::task::spawn_blocking(move || load_config(&p)).await.unwrap()
}

fn load_config(p: &str) -> String {
    std::fs::read_to_string(p).unwrap()
}
