use crate::scheduler::{Config, Scheduler};

#[derive(Debug, Clone, Default)]
pub struct Builder {
    // Set only by methods the wasm build leaves out.
    pub(super) track_latency: bool,
    pub(crate) trace_polls: bool,
    // Set by a method the wasm build compiles.
    pub(crate) measure: bool,
    // Set inside a macro's tokens the wasm build compiles.
    pub(crate) verbose: bool,
}

impl Builder {
    pub fn new() -> Builder {
        Builder {
            track_latency: false,
            trace_polls: false,
            measure: false,
            verbose: false,
        }
    }

    pub fn measure(&mut self) -> &mut Self {
        self.measure = true;
        self
    }

    pub fn verbose(&mut self) -> &mut Self {
        log_state! { self.verbose = true; }
        self
    }

    pub fn build(&self) -> Scheduler {
        Scheduler::new(Config {
            track_latency: self.track_latency,
            trace_polls: self.trace_polls,
            measure: self.measure,
            verbose: self.verbose,
        })
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Builder {
    pub fn track_latency(&mut self) -> &mut Self {
        self.track_latency = true;
        self
    }
}

cfg_native! {
    impl Builder {
        pub fn trace_polls(&mut self) -> &mut Self {
            self.trace_polls = true;
            self
        }
    }
}
