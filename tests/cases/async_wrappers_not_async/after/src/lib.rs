use tokio::task;

async fn offload(p: String, handle: tokio::runtime::Handle) -> std::io::Result<Vec<u8>> {
    let data = task::spawn_blocking(move || std::fs::read(p)).await.unwrap()?;
    let v = task::block_in_place(|| handle.block_on(async { 42 }));
    std::thread::spawn(|| std::thread::sleep(std::time::Duration::from_secs(1)));
    std::thread::scope(|s| {
        s.spawn(|| std::fs::read("x"));
    });
    rayon::spawn(|| {
        let _ = std::fs::read("y");
    });
    let text = asyncify(move || std::fs::read_to_string("z")).await?;
    Ok(data)
}

async fn asyncify<F, T>(f: F) -> std::io::Result<T>
where
    F: FnOnce() -> std::io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f).await.unwrap()
}
