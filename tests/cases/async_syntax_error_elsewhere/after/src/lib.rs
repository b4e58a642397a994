fn broken( {
    let x = ;
}

async fn sound(p: &str) {
    std::thread::sleep(std::time::Duration::from_secs(1));
}
