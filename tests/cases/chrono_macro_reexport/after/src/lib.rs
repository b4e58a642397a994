//! fixture: re-exported chrono paths inside macro arguments

fn log() {
    let t = sqlx::query_as!(Row, "select 1", sqlx::types::chrono::NaiveTime::MIN);
    let local = vec![crate::chrono::helper(), self::chrono::other()];
}
