//! fixture

use chrono::Duration;
