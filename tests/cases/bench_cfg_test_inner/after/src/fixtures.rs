#![cfg(test)]

pub fn fixture() {}
