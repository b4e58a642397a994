//! fixture

extern crate chrono;
extern crate chrono as time;
extern crate chronometer;
