async fn list(p: &std::path::Path) -> std::io::Result<usize> {
    let mut n = 0;
    for e in std::fs::read_dir(p)? {
        n += 1;
    }
    Ok(n)
}

// A fn returning (): the call site unwraps, and so does the sketch (a `?` would not build).
async fn count_fds() {
    let n = std::fs::read_dir("/proc/self/fd").unwrap().count();
    let m = std::fs::read_dir("/proc/self/fd").expect("fd list").count();
    println!("{n} {m}");
}

// The Result matched where it is made: a `?` in the sketch would turn a skipped folder into an error.
async fn names(p: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(p) {
        for entry in entries.flatten() {
            out.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    if let Err(err) = p.read_dir() {
        eprintln!("{err}");
    }
    out
}
