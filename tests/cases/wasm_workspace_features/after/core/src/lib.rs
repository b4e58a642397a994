// Which features of this library the workspace's wasm app can turn on decides
// what its wasm build compiles: web/ asks for `web`, and for `extra` through
// its own optional feature; only the native cli/ asks for `os`, only an
// example for `demo_only`.

#[cfg(feature = "os")]
pub fn read_config() -> std::io::Result<String> {
    std::fs::read_to_string("config.toml")
}

#[cfg(feature = "web")]
pub fn stamp() -> std::time::Instant {
    std::time::Instant::now()
}

#[cfg(feature = "extra")]
pub fn extra() -> std::time::Instant {
    std::time::Instant::now()
}

#[cfg(feature = "demo_only")]
pub fn demo() -> std::io::Result<Vec<u8>> {
    std::fs::read("demo.bin")
}

#[cfg(not(feature = "os"))]
pub fn portable() -> std::time::SystemTime {
    std::time::SystemTime::now()
}
