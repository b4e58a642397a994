extern crate reqwest as rq;

async fn fetch(url: &str) -> String {
    let body = rq::blocking::get(url).unwrap().text().unwrap();
    let ok = rq::get(url).await.unwrap().text().await.unwrap();
    body + &ok
}
