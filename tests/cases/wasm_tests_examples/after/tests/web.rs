use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn clock() {
    let _ = std::time::SystemTime::now();
}
