async fn drive(local: tokio::task::LocalSet, rt: tokio::runtime::Runtime, fut: Fut) {
    local.block_on(&rt, fut);
    futures::executor::block_on(work());
}
