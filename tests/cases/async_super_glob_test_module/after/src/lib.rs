use std::fs;

async fn load(p: &str) -> Vec<u8> {
    tokio::fs::read(p).await.unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn loads() {
        fs::write("x", b"1").unwrap();
        assert_eq!(load("x").await, b"1");
    }
}

mod elsewhere {
    use tokio::fs;

    async fn g() {
        let _ = fs::read("x").await;
    }
}
