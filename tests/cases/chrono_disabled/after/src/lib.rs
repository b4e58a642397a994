//! fixture

use chrono::Utc;
