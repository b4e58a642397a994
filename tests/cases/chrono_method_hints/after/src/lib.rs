pub mod fonts;
pub mod stamp;
