use std::sync::Arc;

pub struct Provider(Arc<dyn Fn() -> String + Send + Sync>);

impl Provider {
    pub fn new(read: impl Fn() -> String + Send + Sync + 'static) -> Self {
        Self(Arc::new(read))
    }
}

pub struct Job {
    run: Box<dyn FnOnce() -> Vec<u8> + Send>,
}

// The closures are kept for a worker thread to call: building them blocks nothing.
fn provider(path: String) -> Provider {
    Provider::new(move || std::fs::read_to_string(&path).unwrap())
}

fn job(path: String) -> Job {
    Job { run: Box::new(move || std::fs::read(path).unwrap()) }
}

fn retry<T>(f: impl Fn() -> std::io::Result<T>) -> std::io::Result<T> {
    f().or_else(|_| f())
}

// A closure handed to a fn that calls it runs now.
fn read_twice(path: &str) -> std::io::Result<Vec<u8>> {
    retry(|| std::fs::read(path))
}

pub async fn build(path: String) -> Provider {
    let j = job(path.clone());
    let r = read_twice(&path);
    provider(path)
}
