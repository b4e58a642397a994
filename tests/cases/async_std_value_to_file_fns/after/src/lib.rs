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

struct Exec;
impl Exec {
    fn draw_history(&self, _out: impl Write) {}
}

// Handed to sync code, not awaited: it takes the std value.
pub async fn draw(e: Exec, p: &str) -> std::io::Result<()> {
    e.draw_history(File::create(p)?);
    let mut log = std::fs::OpenOptions::new().append(true).open(p)?;
    std::io::Write::write_all(&mut log, b"x")?;
    log.sync_all()?;
    let g = File::open(p)?;
    std::os::unix::fs::FileExt::read_at(&g, &mut [0u8; 4], 0)?;
    let h = File::open(p)?;
    let mut v = Vec::new();
    v.push(h);
    Ok(())
}

struct Server;
impl Server {
    fn listen(self, _n: &str, _l: std::net::TcpListener, _f: impl Fn()) {}
}
fn server() -> Server {
    Server
}

// A std File written with writeln! stays std: its set_len moves off the executor with it.
pub async fn pidfile(p: &str, file: std::fs::File) -> std::io::Result<()> {
    file.set_len(0)?;
    writeln!(&file, "{}", std::process::id())?;
    Ok(())
}

// A File the caller lends or hands in: it stays std, whatever this fn does.
pub async fn signal(file: &mut File) -> bool {
    file.write_all(&[0]).is_ok()
}

pub async fn seal(mut file: File) -> std::io::Result<()> {
    file.sync_all()
}
