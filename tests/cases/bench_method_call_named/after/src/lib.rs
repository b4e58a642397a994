pub struct Clock;

impl Clock {
    pub fn advance(&mut self) {}

    pub fn reset(&mut self) {}
}
