#[cfg(not(target_arch = "wasm32"))]
mod files;
