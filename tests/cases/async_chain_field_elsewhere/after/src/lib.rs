mod model;
pub mod worker;
