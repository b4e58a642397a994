#[cfg(all(not(rt_unstable), target_family = "wasm", any(feature = "fs", feature = "net")))]
compile_error!("Only feature time is supported on wasm.");

#[macro_use]
mod macros;

cfg_fs! {
    pub mod fs;
}

#[cfg(feature = "full")]
pub fn everything() -> std::io::Result<Vec<u8>> {
    std::fs::read("x")
}

#[cfg(feature = "ssr")]
pub fn render() -> std::io::Result<String> {
    std::fs::read_to_string("index.html")
}

#[server]
pub async fn save(text: String) -> Result<(), String> {
    std::fs::write("db", text).map_err(|e| e.to_string())
}

#[cfg(feature = "time")]
pub fn stamp() -> std::time::Instant {
    std::time::Instant::now()
}

#[cfg(feature = "server")]
pub fn serve() -> std::io::Result<String> {
    std::fs::read_to_string("index.html")
}
