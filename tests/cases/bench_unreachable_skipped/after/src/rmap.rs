/// Re-exported by `api::dev`, a module that is no ancestor of this file: reported.
pub struct ResourceMap;

impl ResourceMap {
    pub fn match_pattern(&self) -> bool {
        true
    }
}
