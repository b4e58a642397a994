use chrono::{DateTime, Utc};

pub struct Font;

impl Font {
    pub fn format(&self) -> u32 {
        0
    }
}

pub struct Cached(pub DateTime<Utc>);

impl Cached {
    pub fn timestamp(&self) -> DateTime<Utc> {
        self.0
    }
}

// These `.format()` and `.timestamp()` are the file's own types': no jiff hint for them.
pub fn kind(font: Font, freshness: Cached) -> (u32, DateTime<Utc>) {
    (font.format(), freshness.timestamp())
}
