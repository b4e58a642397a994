fn main() {
    cfg_aliases::cfg_aliases! {
        // `web` names `native` before it is defined.
        web: { not(native) },
        native: { not(target_arch = "wasm32") },
        with_ffmpeg: { all(feature = "ffmpeg", native) },
    }
    let target = std::env::var("TARGET").unwrap_or_default();
    if !target.starts_with("wasm32") && std::env::var("PROFILE").as_deref() == Ok("debug") {
        println!("cargo:rustc-cfg=load_from_disk");
    }
}
