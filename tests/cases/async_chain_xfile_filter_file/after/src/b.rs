use crate::a::helper;

pub async fn reload(p: &str) -> String {
    helper(p)
}

pub fn version() -> u32 {
    2
}
