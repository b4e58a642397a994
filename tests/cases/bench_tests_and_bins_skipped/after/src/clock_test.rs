pub fn in_test_file() {}
