mod util;

pub async fn serve(p: &str) -> String {
    let a = other::load(p);
    let b = util::load(p);
    a + &b
}
