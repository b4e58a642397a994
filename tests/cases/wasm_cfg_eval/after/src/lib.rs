#[macro_use]
mod macros;

cfg_if::cfg_if! {
    if #[cfg(target_arch = "wasm32")] {
        mod web;
    } else {
        mod native;
    }
}

cfg_unix! {
    mod sockets;
}

some_list! {
    #[cfg(not(target_os = "unknown"))]
    pub mod files;
    pub mod shared;
}

#[cfg_attr(target_os = "linux", path = "tz_linux.rs")]
#[cfg_attr(target_arch = "wasm32", path = "tz_web.rs")]
mod platform;

pub struct Clock {
    #[cfg(not(target_arch = "wasm32"))]
    pub at: std::time::Instant,
}

pub fn make() -> Clock {
    Clock {
        #[cfg(not(target_arch = "wasm32"))]
        at: std::time::Instant::now(),
    }
}

pub fn statement() {
    #[cfg(windows)]
    std::thread::sleep(std::time::Duration::from_millis(1));
    #[cfg(all(unix, feature = "net"))]
    let _ = std::net::TcpStream::connect("127.0.0.1:1");
}

#[cfg(not(target_family = "wasm"))]
impl Clock {
    pub fn now() -> std::time::Instant {
        std::time::Instant::now()
    }
}

pub fn kept() -> std::time::Instant {
    std::time::Instant::now()
}

/* The right side of && after a false cfg!, or of || after a true one, never runs. */
pub fn short_circuit(dxc: &str) -> bool {
    let on_windows = cfg!(target_os = "windows") && std::fs::metadata(dxc).is_ok();
    let off_wasm = cfg!(target_arch = "wasm32") || std::fs::metadata(dxc).is_ok();
    let unknown = cfg!(feature = "net") && std::fs::metadata(dxc).is_ok();
    on_windows || off_wasm || unknown
}
