pub mod mpsc;
pub mod util;

pub struct Clock;
pub struct Timer {
    pub ms: u64,
}
pub struct Pool;
pub struct Runtime;
pub struct RuntimeBuilder;
pub struct Unseen;

impl Clock {
    pub fn by_path() {}
    pub fn by_qualified(&self) {}
    pub fn by_typed_let(&self) {}
    pub fn by_param(&self) {}
    pub fn by_unit_value(&self) {}
}

impl Timer {
    pub fn by_struct_literal(&self) {}
}

impl Pool {
    pub fn create() -> Pool {
        Pool
    }
    pub fn through_arc(&self) {}
}

impl Runtime {
    pub fn by_bench_fn(&self) {}
    pub fn by_builder(&self) {}
}

impl RuntimeBuilder {
    pub fn start() -> RuntimeBuilder {
        RuntimeBuilder
    }
    pub fn build(self) -> Runtime {
        Runtime
    }
}

impl Unseen {
    pub fn by_loop_var(&self) {}
}

pub fn free_by_path() {}
pub fn free_by_use() {}
pub fn free_by_alias() {}
pub fn free_by_glob() {}

pub struct Interval;

impl Interval {
    pub fn by_field(&mut self) {}
    pub fn by_pin(&mut self) {}
}

pub struct Sender;
pub struct Receiver;

pub fn channel() -> (Sender, Receiver) {
    (Sender, Receiver)
}

impl Sender {
    pub fn send(&self) {}
}

impl Receiver {
    pub fn recv(&mut self) {}
}
