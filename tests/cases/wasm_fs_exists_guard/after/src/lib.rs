use std::path::PathBuf;

// On wasm, exists() answers false (no file system): the read never runs.
pub fn css_name(hash_path: PathBuf) -> String {
    let mut name = String::from("app");
    if hash_path.exists() {
        let hashes = std::fs::read_to_string(&hash_path).expect("hash file");
        name.push_str(hashes.trim());
    }
    name
}

// The guard checks another path than the one read: reported.
pub fn other(marker: PathBuf, data: PathBuf) -> Vec<u8> {
    if marker.is_file() {
        return std::fs::read(&data).unwrap();
    }
    Vec::new()
}

// No guard: reported.
pub fn load(path: PathBuf) -> String {
    std::fs::read_to_string(path).expect("file")
}
