use std::path::PathBuf;

async fn load(opt: Option<PathBuf>, names: Vec<String>) -> Option<String> {
    let text = opt.map(|p| std::fs::read_to_string(p).unwrap());
    names.iter().for_each(|n| {
        std::fs::remove_file(n).ok();
    });
    let total = names.iter().fold(0, |acc, n| acc + std::fs::metadata(n).map(|m| m.len()).unwrap_or(0));
    let cfg = std::env::var("CFG").ok().unwrap_or_else(|| std::fs::read_to_string("/etc/app").unwrap());
    text
}

async fn leaves(names: Vec<String>) {
    // Closures handed to functions that run them elsewhere.
    tokio::task::spawn_blocking(move || names.iter().map(|n| std::fs::read(n)).count());
    std::thread::Builder::new().spawn(|| std::fs::read("a").map(|b| std::fs::write("b", b)));
    std::thread::scope(|s| {
        s.spawn(|| std::fs::read("c"));
    });
    rayon::join(|| std::fs::read("d"), || std::fs::read("e"));
    let v = vec!["f"];
    let _: Vec<_> = v.par_iter().map(|n| std::fs::read(n)).collect();
    // Stored or handed to an unknown function: when and where it runs is not shown.
    let later = || std::fs::read("g");
    run_somewhere(|| std::fs::read("h"));
    // An async closure is checked as its own context.
    let fut = names_fut().map(|x| x);
}

fn run_somewhere<F: FnOnce()>(_f: F) {}
async fn names_fut() {}

async fn cleanup(p: std::path::PathBuf) {
    scopeguard::defer! {
        let _ = std::fs::remove_file(&p);
    }
    tokio::task::yield_now().await;
}
