/// `pub(crate) mod helpers`: the crate's own.
pub fn helper(n: u64) -> u64 {
    n
}
