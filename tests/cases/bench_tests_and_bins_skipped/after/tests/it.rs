pub fn integration() {}
