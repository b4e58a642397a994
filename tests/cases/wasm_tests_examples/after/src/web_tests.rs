// Declared nowhere but run by wasm-bindgen-test: tests here do run on wasm.
use wasm_bindgen_test::wasm_bindgen_test as test;

#[test]
fn clock() {
    let _ = std::time::Instant::now();
}

#[test]
#[cfg_attr(target_arch = "wasm32", ignore)]
fn threads() {
    std::thread::spawn(|| ()).join().unwrap();
}
