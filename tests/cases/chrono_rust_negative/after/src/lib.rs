//! fixture

// chrono::Utc::now() is what we used to call
/* use chrono::Utc; */
mod chrono {
    pub fn now() -> u64 { 0 }
}

fn f() -> u64 {
    let chrono_helper = chrono_helper();
    let s = "chrono::Utc::now()";
    chrono::now() + chrono_helper
}
