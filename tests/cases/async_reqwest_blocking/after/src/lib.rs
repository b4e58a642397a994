async fn fetch(url: &str) -> String {
    let a = reqwest::blocking::get(url).unwrap().text().unwrap();
    let client = reqwest::blocking::Client::new();
    let r = client.get(url).header("a", "b").send().unwrap();
    let ok = reqwest::get(url).await.unwrap().text().await.unwrap();
    let c = reqwest::Client::new();
    let r2 = c.get(url).send().await.unwrap();
    a
}
