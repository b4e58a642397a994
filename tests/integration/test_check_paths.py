"""`check [SOURCE] -- PATH...`: files, folders and globs limit any source's change, from wherever crabgate runs."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import RepoTest, run  # noqa: E402

BAD = "pub fn f() -> chrono::NaiveDate {\n    todo!()\n}\n"
FILES = ("src/lib.rs", "src/deep/mod.rs", "src/deep/er/x.rs", "crates/a/src/lib.rs", "crates/b/src/lib.rs",
         "build.rs")


class CheckPathsTest(RepoTest):
    def setUp(self):
        super().setUp()
        self.repo.write("Cargo.toml", '[package]\nname = "p"\nversion = "0.1.0"\nedition = "2021"\n')
        for name in ("memories.md", "lessons-learned.md", "scratchpad.md"):
            self.repo.write(name, "# m\n")
        self.base = self.repo.commit("base")
        for f in FILES:
            self.repo.write(f, BAD)
        self.head = self.repo.commit("bad")

    def flagged(self, *args, cwd=None, status=1):
        r, doc = run_json(["check", "--format", "json", *args], cwd or self.repo.path)
        self.assertEqual(r.returncode, status, r.stderr)
        return sorted({f["path"] for f in doc["findings"] if f["rule"] == "chrono-ban"})

    def test_every_source_takes_globs(self):
        deep = ["src/deep/er/x.rs", "src/deep/mod.rs", "src/lib.rs"]
        for source in (["--all"], ["--base", self.base], ["--range", f"{self.base}..{self.head}"]):
            self.assertEqual(self.flagged(*source), sorted(FILES), source)
            self.assertEqual(self.flagged(*source, "--", "src/**/*.rs"), deep, source)
            self.assertEqual(self.flagged(*source, "--", "src/*.rs"), ["src/lib.rs"], source)
            self.assertEqual(self.flagged(*source, "--", "crates/*/src/lib.rs", "build.rs"),
                             ["build.rs", "crates/a/src/lib.rs", "crates/b/src/lib.rs"], source)
            self.assertEqual(self.flagged(*source, "--", "src/deep/"), deep[:2], source)
            self.assertEqual(self.flagged(*source, "--", "src/?ib.rs", "src/lib.rs"), ["src/lib.rs"], source)
            # Relative to where it runs, like a shell's names.
            self.assertEqual(self.flagged(*source, "--", "**/lib.rs", cwd=os.path.join(self.repo.path, "crates")),
                             ["crates/a/src/lib.rs", "crates/b/src/lib.rs"], source)

    def test_filter_all_stays_inside_the_paths(self):
        # --filter all brings in the tree's unchanged files; the paths still bound it.
        self.repo.write("src/other.rs", BAD)
        self.repo.commit("more")
        got = self.flagged("--range", f"{self.head}..HEAD", "--filter", "all", "--", "src/*.rs")
        self.assertEqual(got, ["src/lib.rs", "src/other.rs"])

    def test_a_range_path_outside_the_change_is_clean(self):
        self.assertEqual(self.flagged("--base", self.base, "--", "docs/**", status=0), [])

    def test_all_refuses_a_path_naming_nothing(self):
        r = run(["check", "--all", "--", "src/**/*.txt"], self.repo.path)
        self.assertEqual(r.returncode, 2)
        self.assertIn("'src/**/*.txt' names no tracked file", r.stderr)

    def test_staged_globs_name_index_files(self):
        # Staged: a glob names the tracked files it matches; a staged one keeps its changed lines.
        self.repo.write("src/lib.rs", BAD + BAD.replace("f()", "g()"))
        self.repo.stage("src/lib.rs")
        r, doc = run_json(["check", "--format", "json", "--", "src/*.rs", "crates/**"], self.repo.path)
        self.assertEqual(r.returncode, 1, r.stderr)
        got = sorted({(f["path"], f["line"]) for f in doc["findings"] if f["rule"] == "chrono-ban"})
        self.assertEqual(got, [("crates/a/src/lib.rs", 1), ("crates/b/src/lib.rs", 1), ("src/lib.rs", 4)])


def run_json(args, cwd):
    r = run(args, cwd)
    return r, json.loads(r.stdout) if r.stdout.startswith("{") else None


if __name__ == "__main__":
    unittest.main()
