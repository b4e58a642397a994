//! fixture

use time::OffsetDateTime;
use chrono::Utc;
