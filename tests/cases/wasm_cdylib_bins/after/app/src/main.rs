// No cdylib: this binary is what trunk builds for the browser, reported.
fn main() {
    let t = std::time::SystemTime::now();
    println!("{t:?}");
}
