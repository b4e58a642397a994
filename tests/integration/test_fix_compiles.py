"""Every tokio rewrite crabgate calls machine-applicable builds: a crate that uses each template is
fixed by `crabgate fix`, then built offline against Debian's packaged crates
(/usr/share/cargo/registry as a directory source) with cargo, which `ci/setup.sh --tests` installs with
rustc. Without cargo on the machine the test is skipped, saying so."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import Repo, run, run_json  # noqa: E402

REGISTRY = "/usr/share/cargo/registry"
MANIFEST = ('[package]\nname = "fixed"\nversion = "0.1.0"\nedition = "2021"\n\n'
            '[dependencies]\ntokio = { version = "1", features = ["fs", "rt", "time"] }\n')
# One call of each template, in the shapes a fix must keep: `?`, `.unwrap()`, `.expect()`, `.ok()`,
# a path through `use std::fs;` and one imported by name.
LIB = """use std::fs;
use std::fs::read_to_string;
use std::path::Path;
use std::time::Duration;

pub async fn every_template(dir: &Path) -> std::io::Result<u64> {
    let a = dir.join("a");
    let sub = dir.join("sub/deeper");
    std::thread::sleep(Duration::from_millis(1));
    std::fs::write(&a, b"text")?;
    let bytes = std::fs::read(&a)?;
    let text = read_to_string(&a).expect("written above");
    let n = fs::copy(&a, dir.join("b"))?;
    std::fs::rename(dir.join("b"), dir.join("c"))?;
    std::fs::create_dir(dir.join("sub"))?;
    std::fs::create_dir_all(&sub)?;
    std::fs::remove_dir(&sub).unwrap();
    std::fs::remove_dir_all(dir.join("sub"))?;
    let meta = std::fs::metadata(&a)?;
    let link_meta = std::fs::symlink_metadata(&a)?;
    let canon = std::fs::canonicalize(&a)?;
    std::fs::hard_link(&a, dir.join("d"))?;
    std::fs::set_permissions(&a, meta.permissions())?;
    let target = std::fs::read_link(dir.join("d")).ok();
    std::fs::remove_file(dir.join("d"))?;
    std::fs::File::create(dir.join("e"))?;
    let opened = std::fs::File::open(dir.join("e")).expect("created above");
    drop(opened);
    Ok(n + bytes.len() as u64 + text.len() as u64 + link_meta.len() + canon.as_os_str().len() as u64
        + target.map_or(0, |t| t.as_os_str().len() as u64))
}
"""
TEMPLATES = ["tokio::time::sleep"] + [f"tokio::fs::{f}(" for f in (
    "write", "read", "read_to_string", "copy", "rename", "create_dir", "create_dir_all", "remove_dir",
    "remove_dir_all", "metadata", "symlink_metadata", "canonicalize", "hard_link", "set_permissions", "read_link",
    "remove_file")] + ["tokio::fs::File::create(", "tokio::fs::File::open("]

# The maybe-incorrect rewrites, in shapes where they are right: `crabgate fix --unsafe` applies them.
UNSAFE_LIB = """use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub async fn guard_then_await(state: Arc<Mutex<u32>>) -> u32 {
    let mut n = state.lock().unwrap();
    *n += 1;
    let seen = *n;
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    seen
}

pub async fn through_a_helper(p: PathBuf) -> std::io::Result<usize> {
    let text = load(p)?;
    Ok(text.len())
}

fn load(p: PathBuf) -> std::io::Result<String> {
    std::fs::read_to_string(p)
}
"""
UNSAFE_TEMPLATES = ["    drop(n);\n    tokio::time::sleep",
                    'tokio::task::spawn_blocking(move || load(p)).await.expect("the blocking task panicked")?']


def find_cargo():
    """Debian's cargo first (what ci/setup.sh installs), else any on PATH."""
    return "/usr/bin/cargo" if os.access("/usr/bin/cargo", os.X_OK) else shutil.which("cargo")


def has_tokio():
    return os.path.isdir(REGISTRY) and any(n.startswith("tokio-1.") for n in os.listdir(REGISTRY))


@unittest.skipUnless(find_cargo() and has_tokio(),
                     "cargo or Debian's tokio is missing: ci/setup.sh --tests installs rustc, cargo and librust-tokio-dev")
class TestFixCompiles(unittest.TestCase):
    def setUp(self):
        self.repo = Repo()
        self.repo.write("Cargo.toml", MANIFEST)
        self.repo.write("src/lib.rs", LIB)
        self.repo.write(".gitignore", "/target\n")
        self.repo.write(".cargo/config.toml", '[source.crates-io]\nreplace-with = "debian"\n\n'
                                              f'[source.debian]\ndirectory = "{REGISTRY}"\n')
        self.repo.commit("std calls in async code")
        self.cargo_home = tempfile.TemporaryDirectory(prefix="crabgate-cargo-home-")

    def tearDown(self):
        self.repo.cleanup()
        self.cargo_home.cleanup()

    def build(self):
        env = dict(os.environ, CARGO_HOME=self.cargo_home.name, CARGO_TARGET_DIR=os.path.join(self.repo.path, "target"),
                   CARGO_TERM_COLOR="never")
        return subprocess.run([find_cargo(), "build", "--offline", "--quiet"], cwd=self.repo.path, env=env,
                              capture_output=True, text=True)

    def test_every_tokio_template_builds_once_applied(self):
        before = self.build()
        self.assertEqual(before.returncode, 0, "the crate must build before the fix too:\n" + before.stderr)
        r = run(["fix", "--all", "--rule", "blocking-in-async"], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.repo.path, "src/lib.rs"), encoding="utf-8") as f:
            fixed = f.read()
        for t in TEMPLATES:
            self.assertIn(t, fixed)
        self.assertNotIn("std::thread::sleep", fixed)
        # The import its only call no longer needs is gone; `fs` is still named elsewhere, so it stays.
        self.assertNotIn("use std::fs::read_to_string;\n", fixed)
        self.assertIn("use std::fs;\n", fixed)
        r, doc = run_json(["check", "--all"], self.repo.path)
        self.assertEqual([f for f in doc["findings"] if f["rule"] == "blocking-in-async"], [], r.stderr)
        after = self.build()
        self.assertEqual(after.returncode, 0, f"the fixed crate does not build:\n{fixed}\n{after.stderr}")

    def test_maybe_incorrect_rewrites_build_once_applied(self):
        self.repo.write("src/lib.rs", UNSAFE_LIB)
        self.repo.commit("a guard held across an await")
        before = self.build()
        self.assertEqual(before.returncode, 0, "the crate must build before the fix too:\n" + before.stderr)
        r = run(["fix", "--all", "--unsafe", "--rule", "blocking-in-async"], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.repo.path, "src/lib.rs"), encoding="utf-8") as f:
            fixed = f.read()
        for t in UNSAFE_TEMPLATES:
            self.assertIn(t, fixed)
        r, doc = run_json(["check", "--all"], self.repo.path)
        self.assertEqual([f for f in doc["findings"] if f["rule"] == "blocking-in-async"], [], r.stderr)
        after = self.build()
        self.assertEqual(after.returncode, 0, f"the fixed crate does not build:\n{fixed}\n{after.stderr}")


if __name__ == "__main__":
    unittest.main()
