async fn real() {
    std::thread::sleep(std::time::Duration::from_secs(1));
}

#[tokio::test]
async fn t1() {
    std::fs::write("x", b"1").unwrap();
}

#[test]
fn t2() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        std::thread::sleep(std::time::Duration::from_millis(1));
    });
}

#[cfg(test)]
mod tests {
    async fn helper() {
        std::fs::read("fixture").unwrap();
    }
}
