use crate::a::helper;

pub async fn reload(p: &str) -> String {
    helper(p)
}
