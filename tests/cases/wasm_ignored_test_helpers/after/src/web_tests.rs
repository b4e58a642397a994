// Declared nowhere but run by wasm-bindgen-test: tests run on wasm, with the helpers they call.
use wasm_bindgen_test::wasm_bindgen_test as test;

#[test]
#[cfg_attr(target_arch = "wasm32", ignore)] // threads not supported
fn threads() {
    for _ in 0..10 {
        spawn_and_join();
    }
}

// Called only by a test ignored on wasm: never runs there.
fn spawn_and_join() {
    std::thread::spawn(|| ()).join().unwrap();
}

#[test]
fn clock() {
    let _ = started();
}

// Called by a test that runs on wasm: reported.
fn started() -> std::time::Instant {
    std::time::Instant::now()
}

// Named as a value by a test that runs on wasm: reported.
fn pause() {
    std::thread::sleep(std::time::Duration::from_millis(1));
}

#[test]
fn paused() {
    let f: fn() = pause;
    f();
}
