mod barrier;
mod clock;
mod gate;
pub(crate) use barrier::Barrier;
pub(crate) use clock::Clock;
pub(crate) use gate::Gate;
