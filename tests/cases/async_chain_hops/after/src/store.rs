pub fn top() -> String {
    outer()
}

pub fn outer() -> String {
    inner::read()
}

mod inner {
    pub fn read() -> String {
        std::fs::read_to_string("state.json").unwrap()
    }
}
