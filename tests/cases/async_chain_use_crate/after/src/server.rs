use crate::config::load;

pub async fn reload(p: &str) -> String {
    load(p)
}
