pub fn kept() {}

pub fn edited() -> u8 {
    1
}

pub fn also_edited() -> u8 {
    1
}
