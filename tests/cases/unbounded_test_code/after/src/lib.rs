use tokio::sync::mpsc;

#[cfg(test)]
mod testutil;

#[cfg(not(test))]
fn library() {
    let (tx, _rx) = mpsc::unbounded_channel::<u8>();
    keep(tx);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() {
        let (tx, _rx) = mpsc::unbounded_channel::<u8>();
        keep(tx);
    }
}

#[test]
fn plain_test() {
    let (tx, _rx) = std::sync::mpsc::channel::<u8>();
    keep(tx);
}

#[tokio::test]
async fn async_test() {
    let (tx, _rx) = mpsc::unbounded_channel::<u8>();
    keep(tx);
}

#[cfg(all(test, feature = "slow"))]
fn slow_helper() {
    let (tx, _rx) = flume::unbounded::<u8>();
    keep(tx);
}
