use app::a::helper;

pub async fn reload(p: &str) -> String {
    helper(p)
}
