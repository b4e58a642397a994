mod barrier;
mod clock;
pub(crate) use barrier::Barrier;
pub(crate) use clock::Clock;
