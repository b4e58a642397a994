//! fixture

use sqlx::types::chrono::{DateTime, Utc};

fn day(d: sqlx::types::chrono::NaiveDate) -> u32 {
    0
}
