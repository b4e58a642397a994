use std::future::Future;

fn job() -> impl Future<Output = ()> {
    async move {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

fn spawn_all() {
    let a = async |p: String| {
        std::fs::read(p).unwrap();
    };
    let b = async move |p: String| std::fs::remove_file(p);
    tokio::spawn(async {
        let inner = || std::fs::read("not-async-here");
        std::fs::write("x", b"1").unwrap();
    });
}
