pub fn channel() {}
