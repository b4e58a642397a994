mod loom;
#[cfg(not(target_arch = "wasm32"))]
mod native;
mod timer;
mod shadow;
mod sync;
