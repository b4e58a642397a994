// The std value goes to APIs that need the std type (tokio tests
// fs_uring_file_read.rs, net_unix_pipe.rs, tcp_peek.rs): the tokio
// replacement alone does not build there. For `from_std`, the open still
// blocks, but `tokio::fs::File::open(p).await` would leave a `from_std` of a
// tokio File: the suggestion keeps the conversion and moves the open to a
// blocking thread. `set_nonblocking` has no tokio counterpart at all.
use std::net::SocketAddr;
use std::path::Path;
use tokio::net::unix::pipe;

pub async fn wrap(path: &Path) {
    let std_file = std::fs::File::open(path).unwrap();
    let _file = tokio::fs::File::from_std(std_file);
}

pub async fn receiver(fifo: &Path) -> std::io::Result<pipe::Receiver> {
    let rdonly = std::fs::OpenOptions::new().read(true).open(fifo)?;
    pipe::Receiver::from_file(rdonly)
}

pub async fn peek(addr: SocketAddr) {
    let left = std::net::TcpStream::connect(addr).unwrap();
    left.set_nonblocking(true).unwrap();
    let _left: tokio::net::TcpStream = left.try_into().unwrap();
}

pub async fn wrap_inline(path: &Path) -> std::io::Result<tokio::fs::File> {
    Ok(tokio::fs::File::from_std(std::fs::File::open(path)?))
}
