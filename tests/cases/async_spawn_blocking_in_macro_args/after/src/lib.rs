// tokio's tests/task_blocking.rs: the closure handed to spawn_blocking (or
// block_in_place) runs on a blocking thread even when the call is written
// inside a macro's arguments.
macro_rules! assert_ok {
    ($e:expr) => {
        $e.unwrap()
    };
}

use std::thread;
use std::time::Duration;
use tokio::task;

pub async fn basic_blocking() -> &'static str {
    assert_ok!(task::spawn_blocking(|| {
        thread::sleep(Duration::from_millis(5));
        "hello"
    })
    .await)
}

pub async fn block_in_block() -> &'static str {
    assert_ok!(tokio::spawn(async {
        task::block_in_place(|| {
            thread::sleep(Duration::from_millis(5));
        });
        "hello"
    })
    .await)
}

// A method wrapper, `move` and a body without braces.
pub async fn on_handle(rt: tokio::runtime::Handle) {
    assert_ok!(rt.spawn_blocking(move || thread::sleep(Duration::from_millis(5))).await);
}

// Outside the closure the call still runs on the executor thread.
pub async fn not_wrapped() {
    assert_ok!(Some(thread::sleep(Duration::from_millis(5))));
}
