pub fn helper() -> String {
    crate::step::prepare()
}
