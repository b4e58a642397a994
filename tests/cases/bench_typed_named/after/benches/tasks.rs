use criterion::{criterion_group, criterion_main, Criterion};
use rt_kit::util;
use rt_kit::free_by_use;
use rt_kit::free_by_alias as fba;
use rt_kit::{Clock, Interval, Pool, Runtime, RuntimeBuilder, Timer};
use std::sync::Arc;
// A facade crate's re-export names the fn through its own module.
use facade::mpsc;

fn rt() -> Runtime {
    RuntimeBuilder::start().build()
}

fn units() -> Vec<rt_kit::Unseen> {
    Vec::new()
}

struct Service {
    ticks: Interval,
}

impl Service {
    fn poll(&mut self) {
        self.ticks.by_field();
        let mut pinned = std::pin::Pin::new(&mut self.ticks);
        pinned.as_mut().by_pin();
    }
}

fn run(c: &Clock) {
    c.by_param();
}

fn bench(c: &mut Criterion) {
    let clock: Clock = Clock;
    let timer = Timer { ms: 1 };
    let pool = Arc::new(Pool::create());
    let runtime = rt();
    let built = RuntimeBuilder::start().build();
    let (tx, mut rx) = rt_kit::channel();
    c.bench_function("all", |b| {
        b.iter(|| {
            Clock::by_path();
            <Clock>::by_qualified(&clock);
            clock.by_typed_let();
            run(&clock);
            rt_kit::Clock.by_unit_value();
            timer.by_struct_literal();
            pool.through_arc();
            runtime.by_bench_fn();
            built.by_builder();
            rt_kit::free_by_path();
            util::free_by_module();
            free_by_use();
            fba();
            mpsc::channel();
            tx.send();
            rx.recv();
        })
    });
    // A loop variable shows no type: by_loop_var stays unbenched.
    for u in units() {
        u.by_loop_var();
    }
}

mod glob {
    use rt_kit::*;

    pub fn go() {
        free_by_glob();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
