fn make(d: std::time::Duration) {
    let f = move |x: u32| async move {
        std::thread::sleep(d);
    };
    let g = async move {
        std::thread::sleep(d);
    };
}
