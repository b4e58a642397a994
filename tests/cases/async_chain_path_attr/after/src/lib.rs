#[path = "platform/unix.rs"]
mod sys;

pub async fn probe_all() -> bool {
    sys::probe()
}
