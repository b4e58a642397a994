use crate::a::helper;

pub async fn f0(p: &str) -> String {
    helper(p)
}

pub async fn f1(p: &str) -> String {
    helper(p)
}

pub async fn f2(p: &str) -> String {
    helper(p)
}

pub async fn f3(p: &str) -> String {
    helper(p)
}

pub async fn f4(p: &str) -> String {
    helper(p)
}

pub async fn f5(p: &str) -> String {
    helper(p)
}

pub async fn f6(p: &str) -> String {
    helper(p)
}

pub async fn f7(p: &str) -> String {
    helper(p)
}

pub async fn f8(p: &str) -> String {
    helper(p)
}

pub async fn f9(p: &str) -> String {
    helper(p)
}
