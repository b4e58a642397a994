pub async fn reload(p: String) -> String {
    load_config(p)
}

fn load_config(p: String) -> String {
    std::fs::read_to_string(p).unwrap()
}

// A borrowed parameter cannot move into spawn_blocking's 'static closure: no edit.
pub async fn reload_borrowed(p: &str) -> String {
    load_borrowed(p)
}

fn load_borrowed(p: &str) -> String {
    std::fs::read_to_string(p).unwrap()
}

pub enum Addr {
    Path(String, u32),
    Port(u16),
}

// Bound from a borrowed scrutinee: `path` is a &String, no 'static closure can own it.
pub async fn open(addr: &Addr) -> String {
    match addr {
        Addr::Path(path, _) => load_config(path.clone()),
        Addr::Port(_) => String::new(),
    }
}
