use std::time::Instant;

// A file with a Gate of its own also brings this one in with `use`: its methods run on wasm.
pub(crate) struct Gate;

impl Gate {
    pub(crate) fn open(&self) -> bool {
        Instant::now().elapsed().as_secs() < 1
    }
}
