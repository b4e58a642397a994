use std::path::Path;

// The closure is the value of a block handed to spawn_blocking: it runs off the executor.
fn cleanup(dir: &str) {
    let dir = Path::new(dir).to_owned();
    tokio::task::spawn_blocking({
        move || {
            for e in std::fs::read_dir(&dir).unwrap() {
                let _ = std::fs::remove_file(e.unwrap().path());
            }
        }
    });
}

pub async fn load(dir: &str) {
    cleanup(dir);
    let owned = dir.to_string();
    let n = tokio::task::spawn_blocking({
        let owned = owned.clone();
        // a comment after the closure changes nothing
        (move || std::fs::read(owned))
    })
    .await;
    // Outside the wrapper, the same call blocks.
    let m = std::fs::read(owned);
}

pub struct Layer;

impl Layer {
    // The crate's own wrapper of spawn_blocking: what it is handed runs off the executor too.
    fn spawn_blocking<F: FnOnce() + Send + 'static>(f: F) {
        tokio::task::spawn_blocking(f);
    }

    pub async fn evict(&self, p: String) {
        Self::spawn_blocking(move || {
            let _ = std::fs::remove_file(p);
        });
    }
}
