//! Rust 2024 writes extern blocks `unsafe extern`; the fn around one keeps its cfg.

#[cfg(target_os = "android")]
unsafe fn android_dlopen(file: &std::path::Path) -> Vec<u8> {
    unsafe extern "C" {
        fn android_dlopen_ext(filename: *const u8, flags: i32) -> *const u8;
        safe fn getpid() -> i32;
    }
    std::fs::read(file).unwrap_or_default()
}

unsafe extern "C" {
    safe static ERRNO: i32;
}

pub fn load(file: &std::path::Path) -> Vec<u8> {
    std::fs::read(file).unwrap_or_default()
}
