/// Methods of a public type declared elsewhere, written in a private module: still its API.
impl crate::Engine {
    pub fn start(&self) -> u64 {
        1
    }
}
