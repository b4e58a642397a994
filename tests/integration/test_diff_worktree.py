"""`git diff | crabgate check --diff -` checks what `crabgate check --staged`
checks after `git add -A` on the same change: the new side of a work tree's
diff is the old blob with the hunks applied (src/change/diff_apply.c), never
HEAD's text read at the diff's line numbers. A hunk that does not fit the
repository is an input error (exit 2) naming the file and the hunk."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import GIT_ENV, RepoTest, run_json  # noqa: E402

MANIFEST = '[package]\nname = "edits"\nversion = "0.1.0"\nedition = "2021"\n'
BENCH_MANIFEST = '\n[dev-dependencies]\ncriterion = "0.5"\n\n[[bench]]\nname = "fresh"\nharness = false\n'
POD = "pub struct Pod {{\n    v: Vec<u8>,\n}}\n\nimpl Pod {{\n    pub fn volumes(&self) -> &[u8] {{\n{}        &self.v\n    }}\n}}\n"
OLD = "pub fn old() -> i64 {\n    chrono::Utc::now().timestamp()\n}\n"


def fingerprints(doc):
    return sorted((f["rule"], f["path"], f["line"], f["fingerprint"]) for f in doc["findings"])


class TestDiffWorktree(RepoTest):
    def diff(self, *args):
        """git diff's output byte for byte (Repo.git strips the blank context line at its end)."""
        env = dict(os.environ, **GIT_ENV, HOME=self.repo.path)
        r = subprocess.run(["git", "-C", self.repo.path, "diff", *args], env=env, capture_output=True, check=True)
        return r.stdout.decode()

    def setUp(self):
        super().setUp()
        r = self.repo
        r.write("Cargo.toml", MANIFEST)
        r.write("src/lib.rs", "pub mod old;\n")
        r.write("src/old.rs", OLD)
        r.write("src/shrink.rs", "fn a() {}\n// gone 1\n// gone 2\nfn b() {}\n\nfn c() {}\n")
        r.write("src/crlf.rs", "fn a() {\r\n    let x = 1;\r\n}\r\n")
        r.write("src/moved.rs", "fn keep() {}\n" * 8 + "fn moved() {}\n")
        r.write("src/gone.rs", "fn gone() { chrono::Utc::now(); }\n")
        r.write("src/nonl.rs", "fn x() {}")
        r.write("src/pod.rs", POD.format(""))
        r.commit("base")

    def edit(self):
        r = self.repo
        # Insertions above an old finding, and a line appended below it.
        r.write("src/old.rs", "// one\n// two\n// three\n" + OLD + "use chrono::Utc;\n")
        # A deletion, then a finding where the deleted lines were.
        r.write("src/shrink.rs", "fn a() {}\nfn b() { chrono::Utc::now(); }\n\nfn c() {}\n")
        # CRLF lines in and around the hunk.
        r.write("src/crlf.rs", "fn a() {\r\n    let x = chrono::Utc::now();\r\n    let y = 1;\r\n}\r\n")
        # A rename with an edit.
        os.rename(os.path.join(r.path, "src/moved.rs"), os.path.join(r.path, "src/renamed.rs"))
        r.write("src/renamed.rs", "fn keep() {}\n" * 8 + "fn moved() { chrono::Utc::now(); }\n")
        # A new file, a deleted one, and a last line without its newline.
        r.write("src/new.rs", "use chrono::NaiveDate;\n")
        os.remove(os.path.join(r.path, "src/gone.rs"))
        r.write("src/nonl.rs", "fn x() {}\nuse chrono::Utc;")
        # A comment in a pub fn's body is no change of the fn (missing-bench reads the old blob).
        r.write("src/pod.rs", POD.format("        // in the spec's order\n"))
        # A new pub fn with its bench, both brought by the diff: the rules read the diff's manifest and bench.
        r.write("src/lib.rs", "pub mod old;\n\npub fn fresh() -> u8 {\n    1\n}\n\npub fn unbenched() -> u8 {\n    2\n}\n")
        r.write("Cargo.toml", MANIFEST + BENCH_MANIFEST)
        r.write("benches/fresh.rs", "use criterion::{criterion_group, criterion_main, Criterion};\n"
                "fn b(c: &mut Criterion) { c.bench_function(\"fresh\", |b| b.iter(edits::fresh)); }\n"
                "criterion_group!(g, b);\ncriterion_main!(g);\n")
        r.git("add", "-N", "src/new.rs", "src/renamed.rs", "benches/fresh.rs")

    def staged(self):
        self.repo.git("add", "-A")
        res, doc = run_json(["check", "--staged"], self.repo.path)
        self.assertEqual(res.returncode, 1, res.stderr)
        return fingerprints(doc)

    def check_diff(self, diff):
        res, doc = run_json(["check", "--diff", "-"], self.repo.path, input=diff)
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertNotIn("warning", res.stderr)
        return fingerprints(doc)

    def test_worktree_diff_agrees_with_staged(self):
        self.edit()
        got = self.check_diff(self.diff())
        want = self.staged()
        self.assertEqual(got, want)
        # The old finding is not new; the appended import is.
        lines = {(p, l) for _, p, l, _ in got}
        self.assertNotIn(("src/old.rs", 5), lines)
        for where in [("src/old.rs", 7), ("src/shrink.rs", 2), ("src/crlf.rs", 2), ("src/renamed.rs", 9),
                      ("src/new.rs", 1), ("src/nonl.rs", 2), ("src/lib.rs", 7)]:
            self.assertIn(where, lines)
        self.assertNotIn(("src/lib.rs", 3), lines)  # fresh() has its bench
        self.assertFalse([p for p in lines if p[0] == "src/pod.rs"])

    def test_diff_against_head_with_renames_agrees(self):
        self.edit()
        self.repo.git("add", "-A")
        self.repo.git("reset", "-q")  # the renamed and new files are now untracked: add them as intents
        self.repo.git("add", "-N", ".")
        diff = self.diff("HEAD", "-M")
        self.assertIn("rename from src/moved.rs", diff)
        self.assertEqual(self.check_diff(diff), self.staged())

    def test_diff_without_index_lines_uses_head(self):
        self.edit()
        diff = "\n".join(l for l in self.diff().split("\n") if not l.startswith("index "))
        self.assertEqual(self.check_diff(diff), self.staged())

    def test_hunk_that_does_not_apply(self):
        self.edit()
        diff = self.diff("--", "src/shrink.rs")
        diff = diff.replace(" fn a() {}\n", " fn a() { edited }\n", 1)
        res, _ = run_json(["check", "--diff", "-"], self.repo.path, input=diff)
        self.assertEqual(res.returncode, 2, res.stdout)
        self.assertIn("src/shrink.rs", res.stderr)
        self.assertIn("hunk 1", res.stderr)
        self.assertIn("fn a() { edited }", res.stderr)


if __name__ == "__main__":
    unittest.main()
