// The native server of a cdylib package: not the wasm build.
fn main() {
    let page = std::fs::read_to_string("index.html").unwrap();
    println!("{page}");
}
