use mockall::automock;
use mockall::mock;

#[automock]
trait Store {
    fn get(&self, key: &str) -> Option<String>;
}

#[cfg_attr(test, automock)]
trait Clock {
    fn now(&self) -> u64;
}

#[mockall::automock]
trait Feed {
    fn next(&self) -> u32;
}

mock! {
    Thing {}
}

mockall::mock! {
    Other {}
}

#[cfg(test)]
mod tests {
    #[cfg_attr(test, mockall::automock)]
    trait Inner {
        fn go(&self);
    }
}
