// hyper is declared only for targets other than wasm32.
use hyper::body::Incoming;

pub fn started() -> std::time::Instant {
    std::time::Instant::now()
}
