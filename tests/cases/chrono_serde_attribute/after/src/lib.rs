//! fixture

#[derive(serde::Serialize)]
struct Row {
    #[serde(with = "chrono::serde::ts_seconds")]
    at: i64,
    #[serde(serialize_with = "crate::ser::stamp", rename = "chrono")]
    other: i64,
}
