async fn f(db: &Db) {
    let a = mydb::query_sync("select 1");
    let b = mydb::legacy::fetch(1);
    db.query_blocking("x");
    std::thread::sleep(std::time::Duration::from_secs(1));
    run_sync(|| std::fs::read("x"));
}
