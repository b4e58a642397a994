pub struct Clock {
    ticks: u64,
}

struct Hidden;

impl Clock {
    pub fn new() -> Self {
        Clock { ticks: 0 }
    }

    pub fn advance(&mut self, by: u64) {
        self.ticks += by;
    }

    fn internal(&self) {}
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.ticks)
    }
}

impl Hidden {
    pub fn shown(&self) {}
}

impl<T> Wrapper<T> {
    pub fn wrap(t: T) -> Self {
        todo!()
    }
}
