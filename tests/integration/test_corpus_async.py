"""blocking-in-async over real crates from the distribution, and the issue's acceptance case.

The crates come from librust-{tokio,hyper,reqwest,chrono}-dev (`ci/setup.sh --tests`), which put
their sources under /usr/share/cargo/registry/<crate>-<version>. Each is copied into a
fresh git repository and checked with `check --all --format json`: the run must finish
with a JSON report and no sanitizer report, and tokio's own `src/fs` (std::fs calls
inside `asyncify` closures) must give no blocking-in-async finding.
"""
import glob
import os
import re
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import Repo, RepoTest, keys, run_json  # noqa: E402

REGISTRY = os.environ.get("CRABGATE_CARGO_REGISTRY", "/usr/share/cargo/registry")
RULE = "blocking-in-async"
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:")


def crate_dir(name, preferred=None):
    """The registry folder of `name` (the preferred version first), or None."""
    if preferred and os.path.isdir(os.path.join(REGISTRY, f"{name}-{preferred}")):
        return os.path.join(REGISTRY, f"{name}-{preferred}")
    # `tokio-1.24.2`, not `tokio-macros-1.7.0`: the version starts right after the name.
    found = sorted(d for d in glob.glob(os.path.join(REGISTRY, f"{name}-*"))
                   if re.fullmatch(re.escape(name) + r"-\d[\w.+-]*", os.path.basename(d)) and os.path.isdir(d))
    return found[-1] if found else None


class CorpusTest(unittest.TestCase):
    """Runs once per crate: one repository, one check, findings kept for the tests."""

    def check_crate(self, name, preferred=None):
        src = crate_dir(name, preferred)
        if not src:
            self.skipTest(f"{REGISTRY}/{name}-* is absent: install librust-{name}-dev (ci/setup.sh --tests does)")
        repo = Repo()
        self.addCleanup(repo.cleanup)
        for entry in os.listdir(src):
            s, d = os.path.join(src, entry), os.path.join(repo.path, entry)
            if os.path.isdir(s):
                shutil.copytree(s, d, symlinks=True)
            else:
                shutil.copy2(s, d, follow_symlinks=False)
        repo.commit("corpus")
        r, doc = run_json(["check", "--all"], repo.path)
        for mark in SANITIZER_MARKS:
            self.assertNotIn(mark, r.stderr, f"{name}: sanitizer report:\n{r.stderr[-4000:]}")
        self.assertIn(r.returncode, (0, 1), f"{name}: exit {r.returncode}\n{r.stderr[-4000:]}")
        self.assertIsNotNone(doc, f"{name}: no JSON report\n{r.stderr[-4000:]}")
        self.assertGreater(doc["change"]["files"], 0)
        return [f for f in doc["findings"] if f["rule"] == RULE], repo

    def test_tokio_fs_is_clean(self):
        found, repo = self.check_crate("tokio", "1.24.2")
        fs_files = [p for p in glob.glob(os.path.join(repo.path, "src", "fs", "*.rs"))]
        self.assertTrue(fs_files, "tokio's src/fs has no Rust files: not the crate this test expects")
        in_fs = [(f["path"], f["line"], f["message"]) for f in found if f["path"].startswith("src/fs/")]
        self.assertEqual(in_fs, [], "std::fs inside asyncify closures must not be reported")
        # The rule did run: tokio's own tests sleep and join threads inside #[tokio::test]s,
        # reported at the test severity.
        in_tests = [f for f in found if f["path"].startswith("tests/")]
        self.assertTrue(in_tests, "expected warnings in tokio's tests/")
        self.assertTrue(all(f["severity"] == "warning" for f in in_tests))

    def test_hyper(self):
        found, _ = self.check_crate("hyper")
        for f in found:
            self.assertTrue("blocks the executor thread" in f["message"] or "held across" in f["message"], f)

    def test_reqwest(self):
        self.check_crate("reqwest")

    def test_chrono(self):
        self.check_crate("chrono")


class AcceptanceTest(RepoTest):
    def test_tokio_fs_alias_and_std_full_path(self):
        self.repo.write("src/lib.rs",
                        "use tokio::fs;\n"
                        "\n"
                        "async fn load(p: &str) -> std::io::Result<String> {\n"
                        "    let bytes = fs::read(p).await?;\n"
                        "    let text = std::fs::read_to_string(p)?;\n"
                        "    Ok(text + &String::from_utf8_lossy(&bytes))\n"
                        "}\n")
        self.repo.commit()
        r, doc = run_json(["check", "--all"], self.repo.path)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual([k for k in keys(doc) if k[0] == RULE], [(RULE, "src/lib.rs", 5)])
        f = [f for f in doc["findings"] if f["rule"] == RULE][0]
        self.assertIn("`std::fs::read_to_string`", f["message"])
        self.assertIn("`tokio::fs::read_to_string(p).await`", f["message"])
        self.assertEqual(f["severity"], "error")


if __name__ == "__main__":
    unittest.main(verbosity=2)
