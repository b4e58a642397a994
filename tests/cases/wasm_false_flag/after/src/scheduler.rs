use std::time::Instant;

pub(crate) struct Config {
    pub(crate) track_latency: bool,
    pub(crate) trace_polls: bool,
    pub(crate) measure: bool,
    pub(crate) verbose: bool,
}

pub struct Scheduler {
    started: Option<Instant>,
    polled: Option<Instant>,
    measured: Option<Instant>,
    logged: Option<Instant>,
}

impl Scheduler {
    pub(crate) fn new(config: Config) -> Scheduler {
        // Never true on wasm: no finding.
        let started = config.track_latency.then(Instant::now);
        let polled = if config.trace_polls && !config.measure {
            Some(Instant::now())
        } else {
            None
        };
        // Set true by code the wasm build compiles: findings.
        let measured = config.measure.then(Instant::now);
        let logged = if config.verbose { Some(Instant::now()) } else { None };
        Scheduler { started, polled, measured, logged }
    }
}

/// Filled by a deserializer, which may set any field: a finding.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct Settings {
    pub(crate) debug_clock: bool,
}

pub(crate) fn stamp(settings: &Settings) -> Option<Instant> {
    if settings.debug_clock {
        return Some(Instant::now());
    }
    None
}
