pub fn in_tests_file() {}
