//! A branch written for wasm32-unknown-unknown alone that calls std::fs
//! expects its error (std::fs returns one there, it does not panic).

pub fn venv_home(cfg: &std::path::Path) -> Option<String> {
    #[cfg(not(target_arch = "wasm32"))]
    let content = native_read(cfg).ok()?;
    #[cfg(all(target_arch = "wasm32", not(target_os = "wasi")))]
    let content = std::fs::read_to_string(cfg).ok()?;
    content.lines().next().map(str::to_owned)
}

#[cfg(target_family = "wasm")]
pub fn cached(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

// A wasm-only branch still may not panic: the clock is checked.
#[cfg(target_arch = "wasm32")]
pub fn stamp() -> std::time::Instant {
    std::time::Instant::now()
}

// Not a wasm-only branch: reported.
#[cfg(not(unix))]
pub fn settings(path: &std::path::Path) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

#[cfg(not(target_arch = "wasm32"))]
fn native_read(p: &std::path::Path) -> std::io::Result<String> {
    std::fs::read_to_string(p)
}
