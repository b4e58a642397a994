"""Hostile input: no crash, no hang (issue 16), end to end through the built binary.

Each input of the issue is generated here in a temporary repository and staged (or
pushed in a pull request for `crabgate ci`). Every run must end (a generous
subprocess timeout is the hang guard; no timing is asserted), with exit 0 or 1,
a valid report, and the hostile file named among the skipped files with its reason,
while the other files are still checked. Under the sanitizer build
(CRABGATE_BIN, sanitizer_suite) a sanitizer report fails the test.
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import BIN, RepoTest  # noqa: E402
import test_ci_github  # noqa: E402

HANG_GUARD_S = 120
CHRONO = "use chrono::Utc;\n\npub fn now() -> Utc { Utc }\n"
# A file every rule that reads a tree wants to parse, with the flood after it: the
# fuzz seeds' own list (tests/fuzz/seeds/hostile.py), so the two cannot drift.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fuzz", "seeds"))
sys.dont_write_bytecode = True  # nothing written into the checkout
from hostile import HEAD, RUST  # noqa: E402
FLOOD = "not parsed: more than 8,192 tokens in a row"
BUDGET = "not parsed: the parser ran past its time budget"

# The shapes of issue 16 as the issue gives them: `crash` aborted the process (heap
# corruption in libtree-sitter 0.20), `hang` ran for minutes or forever.
RUST_SHAPES = {k: v for k, v in RUST.items() if k not in ("crash_unbalanced", "hang_hex_semicolons")}


class HostileTest(RepoTest):
    def setUp(self):
        super().setUp()
        self.repo.write("Cargo.toml", '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n')
        self.repo.write("src/lib.rs", "pub fn a() {}\n")
        self.repo.commit("first")

    def check(self, *args):
        env = dict(os.environ, NO_COLOR="1")
        env.pop("CRABGATE_CONFIG", None)
        r = subprocess.run([BIN, "check", "--staged", "--format", "json", *args], cwd=self.repo.path,
                           capture_output=True, text=True, env=env, timeout=HANG_GUARD_S)
        for needle in ("Sanitizer", "runtime error:", "munmap_chunk", "double free", "free():"):
            self.assertNotIn(needle, r.stderr)
        self.assertIn(r.returncode, (0, 1), r.stderr)
        return r, json.loads(r.stdout)

    @staticmethod
    def skipped(doc):
        return {s["path"]: s["reason"] for s in doc.get("skipped", [])}

    def test_rust_floods_are_skipped_with_a_reason_and_the_rest_is_checked(self):
        for name, flood in RUST_SHAPES.items():
            with self.subTest(shape=name):
                self.repo.write("src/hostile.rs", HEAD + flood + "\n")
                self.repo.write("src/lib.rs", CHRONO)
                self.repo.stage("src/hostile.rs", "src/lib.rs")
                r, doc = self.check()
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertEqual([(f["path"], f["line"]) for f in doc["findings"] if f["rule"] == "chrono-ban"],
                                 [("src/lib.rs", 1)])
                self.assertIn(FLOOD, self.skipped(doc)["src/hostile.rs"])

    def test_a_flood_the_scanner_misses_is_stopped_by_the_parse_budget(self):
        # A `;` after each bad token resets the token count, and costs some 16 s of CPU to parse.
        self.repo.write("src/hostile.rs", HEAD + "fn g() {" + "0x; " * 16000 + "}\n")
        self.repo.stage("src/hostile.rs")
        r, doc = self.check()
        self.assertIn(BUDGET, self.skipped(doc)["src/hostile.rs"])

    def test_toml_flood_in_a_manifest(self):
        self.repo.write("Cargo.toml", '[package]\nname = "app"\nversion = "0.1.0"\n' + "\"' " * 70000 + "\n")
        self.repo.write("src/lib.rs", CHRONO)
        self.repo.stage("Cargo.toml", "src/lib.rs")
        r, doc = self.check()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(FLOOD, self.skipped(doc)["Cargo.toml"])

    def test_committed_eight_megabyte_manifest_does_not_stall_rust_checks(self):
        # Over max_file_bytes (1 MiB): read as absent; it used to take 20 minutes and more.
        deps = "".join(f'dep{i:07d} = "1"\n' for i in range(8 * 1024 * 1024 // 16))
        self.repo.write("Cargo.toml", '[package]\nname = "app"\nversion = "0.1.0"\n[dependencies]\n' + deps)
        self.repo.commit("huge manifest")
        self.repo.write("src/lib.rs", CHRONO)
        self.repo.stage("src/lib.rs")
        r, doc = self.check()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual([(f["rule"], f["path"]) for f in doc["findings"] if f["rule"] == "chrono-ban"],
                         [("chrono-ban", "src/lib.rs")])

    def test_one_megabyte_manifest_is_read_in_full(self):
        # Under max_file_bytes: every dependency is read (a hashed lookup each, not a scan).
        deps = "".join(f'dep{i:06d} = "1"\n' for i in range(60000))
        self.repo.write("Cargo.toml", '[package]\nname = "app"\nversion = "0.1.0"\n[dependencies]\n' + deps
                        + 'chrono = "0.4"\n')
        self.repo.stage("Cargo.toml")
        r, doc = self.check()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual([(f["rule"], f["line"]) for f in doc["findings"] if f["rule"] == "chrono-ban"],
                         [("chrono-ban", 60005)])

    def test_fifo_config_and_baseline_are_refused(self):
        self.repo.write("src/lib.rs", CHRONO)
        self.repo.stage("src/lib.rs")
        fifo = os.path.join(self.repo.path, ".git", "fifo")
        os.mkfifo(fifo)
        os.mkfifo(os.path.join(self.repo.path, ".crabgate.yaml"))
        self.repo.write(".git/info/exclude", ".crabgate.yaml\n")
        for args in ((), ("--config", fifo)):
            r = subprocess.run([BIN, "check", "--staged", *args], cwd=self.repo.path, capture_output=True,
                               text=True, timeout=HANG_GUARD_S)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("not a regular file", r.stderr)
        os.unlink(os.path.join(self.repo.path, ".crabgate.yaml"))
        r = subprocess.run([BIN, "check", "--staged", "--baseline", fifo], cwd=self.repo.path,
                           capture_output=True, text=True, timeout=HANG_GUARD_S)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(fifo + ": not a regular file", r.stderr)


class HostileCI(test_ci_github.GitHubCI):
    """`crabgate ci` on a pull request that adds a crashing file: the review, SARIF and summary are still written."""

    def test_ci_with_a_crashing_file_still_reports(self):
        os.unlink(os.path.join(self.repo.path, ".crabgate.yaml"))
        self.repo.git("checkout", "-q", "feature")
        self.repo.write("src/hostile.rs", HEAD + "move||" * 33000 + "\n")
        self.head = self.repo.commit("feature: a hostile file")
        self.repo.git("checkout", "-q", "main")
        self.configure()
        self.open_pr()
        sarif = os.path.join(self.tmp.name, "out.sarif")
        r = self.ci("ci", "--output", "sarif=" + sarif)
        self.assertEqual(r.returncode, 1, r.stderr)
        with open(sarif) as f:
            doc = json.load(f)
        self.assertEqual(doc["version"], "2.1.0")
        self.assertTrue(doc["runs"][0]["results"])
        with open(self.summary_path) as f:
            summary = f.read()
        self.assertIn("src/hostile.rs", summary)
        self.assertEqual(len(self.state()["reviews"]), 1)


def load_tests(loader, tests, pattern):
    # Only this file's tests: HostileCI inherits GitHubCI's, which test_ci_github.py runs.
    suite = unittest.TestSuite()
    suite.addTests(loader.loadTestsFromTestCase(HostileTest))
    suite.addTest(HostileCI("test_ci_with_a_crashing_file_still_reports"))
    return suite


if __name__ == "__main__":
    unittest.main()
