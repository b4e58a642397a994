use std::time::Instant;

#[cfg(not(target_arch = "wasm32"))]
mod native;
mod sys;
mod web;

#[cfg(not(target_arch = "wasm32"))]
fn native_clock() -> Instant {
    Instant::now()
}

#[cfg(not(target_arch = "wasm32"))]
mod native_inline {
    fn read() {
        let _ = std::fs::read("x");
    }
}

mod inner_gated {
    #![cfg(not(target_arch = "wasm32"))]
    fn nap() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

#[cfg(unix)]
fn unix_only() {
    let _ = std::fs::read("/etc/hosts");
}

#[cfg(all(not(target_family = "wasm"), feature = "cache"))]
fn cache() {
    let _ = std::fs::write("cache", b"x");
}

fn branches() {
    if cfg!(target_arch = "wasm32") {
        js_now();
    } else {
        let _ = Instant::now();
    }
    if !cfg!(target_arch = "wasm32") {
        std::thread::spawn(|| {});
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _t = std::time::SystemTime::now();
    match 1 {
        #[cfg(not(target_arch = "wasm32"))]
        1 => drop(Instant::now()),
        _ => {}
    }
}

fn js_now() {}

// Flagged: these run in the wasm build.
#[cfg(target_arch = "wasm32")]
fn wasm_only() {
    let _ = std::time::SystemTime::now();
}

#[cfg(feature = "timing")]
fn timing() -> Instant {
    Instant::now()
}

fn wasm_branch() {
    if cfg!(target_arch = "wasm32") {
        let _ = Instant::now();
    }
}

mod process;
mod io;
