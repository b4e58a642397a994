pub mod mpsc;

pub struct LocalRuntime;
pub struct JoinSet;
pub struct OpenOptions;
pub struct WriteGuard;

impl LocalRuntime {
    pub fn spawn_blocking(&self) {}
}

impl JoinSet {
    pub fn build() -> JoinSet {
        JoinSet
    }

    pub fn spawn_blocking(&mut self) {}

    pub fn len(&self) -> usize {
        0
    }
}

impl OpenOptions {
    pub fn write(&mut self) {}
}

impl WriteGuard {
    pub fn map(self) {}
}

pub fn name() -> &'static str {
    "x"
}

pub fn writable() -> bool {
    true
}
