use chrono::{DateTime, Utc};

// `.format(..)` here is chrono's: the `use` finding says what it becomes.
pub fn label(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}
