//! cfgs set by build.rs: cfg_aliases! entries are judged for wasm; a
//! rustc-cfg printed under conditions not read leaves its code out.

#[cfg(with_ffmpeg)]
mod ffmpeg;

#[cfg(load_from_disk)]
pub fn shader(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

#[cfg(not(load_from_disk))]
pub fn shader_list() -> Vec<u8> {
    std::fs::read("shaders.txt").unwrap_or_default()
}

#[cfg(web)]
pub fn started() -> std::time::Instant {
    std::time::Instant::now()
}

pub fn config() -> std::io::Result<String> {
    std::fs::read_to_string("video.toml")
}
