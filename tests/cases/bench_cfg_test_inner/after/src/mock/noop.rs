pub struct Noop;

impl Noop {
    pub fn with_delay_ms(self, _ms: u64) -> Self {
        self
    }
}
