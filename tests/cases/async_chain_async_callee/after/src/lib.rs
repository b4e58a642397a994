pub async fn serve(p: &str) -> String {
    load(p).await
}

async fn load(p: &str) -> String {
    std::fs::read_to_string(p).unwrap()
}
