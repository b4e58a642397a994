pub fn kept() {}

pub fn edited() -> u8 {
    2
}

pub fn also_edited() -> u8 {
    3
}

pub fn added() {}
