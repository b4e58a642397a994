// A public Barrier of its own: its name here is not the loom one.
pub struct Barrier {
    n: usize,
}

impl Barrier {
    pub fn new(n: usize) -> Barrier {
        Barrier { n }
    }
}
