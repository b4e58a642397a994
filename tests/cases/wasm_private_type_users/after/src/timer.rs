use crate::loom::Clock;

pub fn ticks() -> u64 {
    Clock.now().elapsed().as_millis() as u64
}
