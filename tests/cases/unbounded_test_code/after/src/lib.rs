use tokio::sync::mpsc;

#[cfg(test)]
mod testutil;

#[cfg(not(test))]
fn library() {
    let (tx, rx) = mpsc::unbounded_channel::<u8>();
    keep((tx, rx));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() {
        let (tx, rx) = mpsc::unbounded_channel::<u8>();
        keep((tx, rx));
    }
}

#[test]
fn plain_test() {
    let (tx, rx) = std::sync::mpsc::channel::<u8>();
    keep((tx, rx));
}

#[tokio::test]
async fn async_test() {
    let (tx, rx) = mpsc::unbounded_channel::<u8>();
    keep((tx, rx));
}

#[cfg(all(test, feature = "slow"))]
fn slow_helper() {
    let (tx, rx) = flume::unbounded::<u8>();
    keep((tx, rx));
}
