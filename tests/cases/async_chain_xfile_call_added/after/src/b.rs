use crate::a::helper;

pub async fn reload(p: &str) -> String {
    helper(p)
}

pub async fn again(p: &str) -> usize {
    helper(p).len()
}
