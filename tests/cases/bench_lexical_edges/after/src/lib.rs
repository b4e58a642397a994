//! Braces, quotes and `pub fn` inside literals, comments and macros are not
//! items: missing-bench finds its candidates without a parse tree.
#![allow(dead_code)]

/* a block comment { with /* a nested one } */ and pub fn in_comment() {} */
const RAW: &str = r#"} pub fn in_raw_string() { "#;
const BYTES: &[u8] = br##"}"# {"##;
const CHARS: [char; 3] = ['{', '}', '"'];
const F: fn() -> u8 = || { 1 };

/// Doc text with a brace } and a quote "
pub fn after_literals<'a>(s: &'a str) -> &'a str {
    let _label = 'outer: loop {
        break 'outer '}';
    };
    s
}

macro_rules! make {
    () => {
        pub fn in_macro() {}
    };
}

pub trait Shape {
    fn area(&self) -> f64;
}

impl dyn Shape {
    pub fn describe(&self) -> String {
        String::from("{")
    }
}

impl<T: Fn() -> u8> Holder<T>
where
    T: Copy,
{
    pub async unsafe fn call(&self) -> u8 {
        (self.0)()
    }
}

pub struct Holder<T>(T);

pub(crate) fn crate_only() {}

pub const fn r#match() -> u8 {
    0
}

mod inner {
    #![cfg(test)]
    pub fn in_test_module() {}
}

#[cfg(test)]
impl Holder<u8> {
    pub fn in_test_impl() {}
}
