use std::fs::File;
use std::io::{Read, Write};

fn check_sha256(name: &str, mut file: std::fs::File) -> bool {
    let mut v = Vec::new();
    file.read_to_end(&mut v).is_ok() && !name.is_empty()
}

fn digest(r: impl Read) -> u64 {
    0
}

fn save<W>(label: &str, out: W) -> usize
where
    W: Write,
{
    label.len()
}

async fn tokio_digest(f: tokio::fs::File) -> u64 {
    0
}

// Handed to fns of this file that take the std value: the whole use moves off the executor.
pub async fn fetch(local: &str, store: &str) -> bool {
    match std::fs::File::open(local) {
        Ok(file) => {
            if check_sha256(local, file) {
                return true;
            }
        }
        Err(_) => {}
    }
    let f = File::open(store).unwrap();
    let d = digest(&f);
    let out = File::create(store).unwrap();
    save("x", out);
    // A fn taking tokio's File: the async open is the fix.
    let t = File::open(store).unwrap();
    tokio_digest(t).await;
    // A server's listen takes the std listener wherever it sits among the arguments.
    let l = std::net::TcpListener::bind(local).unwrap();
    server().listen("name", l, || ());
    d > 0
}

struct Server;
impl Server {
    fn listen(self, _n: &str, _l: std::net::TcpListener, _f: impl Fn()) {}
}
fn server() -> Server {
    Server
}
