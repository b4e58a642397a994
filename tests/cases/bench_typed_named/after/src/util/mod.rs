pub fn free_by_module() {}
