//! fixture: chrono in tests and benches is still chrono

#[cfg(test)]
mod tests {
    #[test]
    fn t() {
        let _ = chrono::Local::now();
    }
}
