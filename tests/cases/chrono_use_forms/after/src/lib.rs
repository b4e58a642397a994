//! fixture

use chrono::{DateTime, Utc};
use chrono::prelude::*;
use ::chrono::NaiveDate;
use chrono as clock;
use chrono::Duration as D;
pub(crate) use chrono;
use std::{io, chrono_like::X};

fn f() {
    use chrono::TimeDelta;
}
