use crate::read::slurp;

pub fn prepare() -> String {
    slurp("state.json")
}
