#[cfg(test)]
mod tests;

pub async fn serve(p: &str) {
    std::fs::read(p).unwrap();
}
