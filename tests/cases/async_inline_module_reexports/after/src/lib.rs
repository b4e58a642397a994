mod sys {
    pub use std::fs;
    pub mod time {
        pub use std::thread::sleep;
    }
}
mod rt {
    pub use tokio::fs;
}
use self::sys::time::sleep as pause;

async fn f(p: &str) {
    sys::fs::write(p, b"x").unwrap();
    crate::sys::time::sleep(std::time::Duration::from_secs(1));
    pause(std::time::Duration::from_secs(1));
    rt::fs::write(p, b"x").await.unwrap();
    let _ = crate::rt::fs::read(p).await;
}
