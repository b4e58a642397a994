use web::is_browser;

fn main() {
    if is_browser!() {
        // true on wasm: this branch runs there.
        let started = std::time::Instant::now();
        let _ = started;
    } else {
        // The server writes the page: never on wasm.
        std::fs::write("index.html", "<html></html>").expect("write");
    }
}
