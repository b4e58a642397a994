// Declared under #[cfg(test)] in lib.rs: test code; its chains are not followed.
fn load() -> Vec<u8> {
    std::fs::read("y").unwrap()
}

pub async fn redo() -> Vec<u8> {
    std::thread::sleep(std::time::Duration::from_millis(1));
    load()
}
