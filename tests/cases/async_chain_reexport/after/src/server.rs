pub async fn serve() -> usize {
    crate::helper().len()
}
