//! Mentions of mockall::automock and mock! in comments are fine.
use other::automock;

const WORDS: &str = "mock! { Thing {} }";

#[automock]
trait Traced {}

macro_rules! mock {
    ($($t:tt)*) => {};
}

mock! { Local {} }

fn mockable() -> &'static str {
    WORDS
}
