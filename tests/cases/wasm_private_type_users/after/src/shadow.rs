// A Gate of its own, and the loom one in a module below: its name here may be either.
pub struct Gate;

mod inner {
    use crate::loom::Gate;

    pub(crate) fn open() -> bool {
        Gate.open()
    }
}
