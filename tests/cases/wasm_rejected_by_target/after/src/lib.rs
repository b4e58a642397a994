// Rejected on 32-bit targets, wasm32 among them, whatever --cfg flags the build passes.
#[cfg(all(feature = "latency", not(target_pointer_width = "64")))]
compile_error!("the latency feature needs a 64-bit target");

// Rejected only without a --cfg flag a wasm build may pass.
#[cfg(all(not(rt_unstable), feature = "probe"))]
compile_error!("the probe feature needs --cfg rt_unstable");

#[cfg(feature = "latency")]
pub fn latency_start() -> std::time::Instant {
    std::time::Instant::now()
}

#[cfg(feature = "probe")]
pub fn probe_start() -> std::time::Instant {
    std::time::Instant::now()
}
