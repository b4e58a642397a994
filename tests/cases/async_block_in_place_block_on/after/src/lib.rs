use tokio::runtime::{Handle, Runtime};

async fn bad(fut: std::future::Ready<u8>) -> u8 {
    let rt = Runtime::new().unwrap();
    let a = rt.block_on(async { 1 });
    let b = Handle::current().block_on(async { 2 });
    let c = futures::executor::block_on(fut);
    a + b + c
}

async fn fine() -> u8 {
    tokio::task::block_in_place(move || Handle::current().block_on(async { 3 }))
}

struct App {
    rt: Runtime,
}
impl App {
    async fn run(&self) {
        self.rt.block_on(async {});
    }
}
