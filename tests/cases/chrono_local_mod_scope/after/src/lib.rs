//! fixture: a local `mod chrono` shadows the crate only where it is in scope

#[cfg(feature = "chrono")]
pub mod chrono {
    pub use chrono::{DateTime, Utc};
}

fn local() {
    chrono::helper();
}

fn global() -> i64 {
    ::chrono::Utc::now().timestamp()
}

mod tests {
    fn other_module() {
        let _ = chrono::Local::now();
    }
}
