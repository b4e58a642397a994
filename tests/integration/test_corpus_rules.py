"""The rule pass over real crates from the distribution (`ci/setup.sh --tests` installs them):
chrono, hyper and reqwest as git repositories, checked whole.

What is asserted, beyond "no crash, no sanitizer report, sane JSON":
- chrono's own sources are chrono, not a use of it: chrono-ban reports nothing
  there (a package named like a banned crate is that crate).
- hyper and reqwest do not depend on chrono: chrono-ban reports nothing.
- adding chrono to hyper's real manifest is reported once, on that line.
- missing-bench reads chrono's benches: functions they call are not reported.
- fingerprints are unique and stable, so a baseline of everything hides
  everything, and `--filter all` over an empty change sees what `--all` sees.
"""
import json
import os
import re
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import Repo, run  # noqa: E402

REGISTRY = "/usr/share/cargo/registry"
CRATES = ["chrono-0.4.23", "hyper-0.14.19", "reqwest-0.11.13"]
SEVERITIES = {"error", "warning", "note"}


def known_rules():
    r = run(["rules"], cwd="/")
    assert r.returncode == 0, r.stderr
    return {line.split()[0] for line in r.stdout.splitlines() if line.strip()}


class CorpusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [c for c in CRATES if not os.path.isdir(os.path.join(REGISTRY, c))]
        if missing:
            raise AssertionError(f"{', '.join(missing)} not in {REGISTRY}: run ci/setup.sh --tests "
                                 "(it installs librust-chrono-dev, librust-hyper-dev, librust-reqwest-dev)")
        cls.rules = known_rules()
        cls.repos = {}
        for crate in CRATES:
            repo = Repo()
            shutil.copytree(os.path.join(REGISTRY, crate), repo.path, dirs_exist_ok=True, symlinks=True)
            repo.commit("import " + crate)
            cls.repos[crate] = repo

    @classmethod
    def tearDownClass(cls):
        for repo in cls.repos.values():
            repo.cleanup()

    def check(self, crate, *args):
        repo = self.repos[crate]
        r = run(["check", *args, "--format", "json"], cwd=repo.path)
        self.assertNotIn("Sanitizer", r.stderr)
        self.assertNotIn("runtime error", r.stderr)
        self.assertIn(r.returncode, (0, 1), f"{crate}: exit {r.returncode}: {r.stderr[-2000:]}")
        doc = json.loads(r.stdout)
        self.assertEqual(doc["version"], 1)
        return r, doc

    def assert_sane(self, crate, doc):
        repo = self.repos[crate]
        self.assertGreater(doc["change"]["files"], 10, crate)
        fps = set()
        for f in doc["findings"]:
            where = f"{crate}: {f['path']}:{f['line']} {f['rule']}"
            self.assertIn(f["rule"], self.rules, where)
            self.assertIn(f["severity"], SEVERITIES, where)
            full = os.path.join(repo.path, f["path"])
            self.assertTrue(os.path.isfile(full), where)
            with open(full, "rb") as fh:
                nlines = fh.read().count(b"\n") + 1
            self.assertTrue(1 <= f["line"] <= f["end_line"] <= nlines, where)
            self.assertGreaterEqual(f["column"], 1, where)
            self.assertTrue(f["message"] and f["message"][0].islower() or f["message"][0] in "`[", where)
            self.assertRegex(f["fingerprint"], r"^[0-9a-f]{16}$", where)
            self.assertNotIn(f["fingerprint"], fps, where + ": fingerprint not unique")
            fps.add(f["fingerprint"])
        counts = {s: sum(1 for f in doc["findings"] if f["severity"] == s) for s in SEVERITIES}
        self.assertEqual(doc["summary"], counts, crate)

    def test_whole_crates_are_checked_sanely(self):
        for crate in CRATES:
            with self.subTest(crate=crate):
                _, doc = self.check(crate, "--all")
                self.assert_sane(crate, doc)
                chrono = [f for f in doc["findings"] if f["rule"] == "chrono-ban"]
                self.assertEqual(chrono, [], f"{crate}: chrono-ban on {[(f['path'], f['line']) for f in chrono]}")

    def test_runs_are_deterministic(self):
        for crate in CRATES:
            with self.subTest(crate=crate):
                _, a = self.check(crate, "--all")
                _, b = self.check(crate, "--all")
                self.assertEqual(a["findings"], b["findings"])

    def test_chrono_benches_name_its_functions(self):
        _, doc = self.check("chrono-0.4.23", "--all")
        bench = [f for f in doc["findings"] if f["rule"] == "missing-bench"]
        self.assertTrue(bench, "missing-bench found nothing in chrono's sources")
        # benches/chrono.rs calls DateTime::parse_from_rfc3339 and parse_from_rfc2822.
        flagged = " ".join(f["message"] for f in bench)
        self.assertNotIn("`DateTime::parse_from_rfc3339`", flagged)
        self.assertNotIn("`DateTime::parse_from_rfc2822`", flagged)
        # ... and what they do not call is reported.
        self.assertIn("pub fn `DateTime::timestamp_nanos`", flagged)

    def test_chrono_added_to_a_real_manifest(self):
        repo = self.repos["hyper-0.14.19"]
        path = os.path.join(repo.path, "Cargo.toml")
        with open(path, encoding="utf-8") as fh:
            original = fh.read()
        try:
            # hyper's manifest declares each dependency as a dotted table: add one more.
            at = original.count("\n") + 2
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(original.rstrip("\n") + '\n\n[dependencies.chrono]\nversion = "0.4"\n')
            repo.stage("Cargo.toml")
            _, doc = self.check("hyper-0.14.19", "--staged")
            chrono = [(f["path"], f["line"]) for f in doc["findings"] if f["rule"] == "chrono-ban"]
            self.assertEqual(chrono, [("Cargo.toml", at)])
        finally:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(original)
            repo.stage("Cargo.toml")

    def test_baseline_of_everything_hides_everything(self):
        for crate in CRATES:
            with self.subTest(crate=crate):
                repo = self.repos[crate]
                base = os.path.join(repo.path, ".git", "crabgate-baseline")
                r = run(["baseline", base, "--all"], cwd=repo.path)
                self.assertEqual(r.returncode, 0, r.stderr)
                _, full = self.check(crate, "--all")
                _, hidden = self.check(crate, "--all", "--baseline", base)
                self.assertEqual(hidden["findings"], [])
                self.assertEqual(hidden["suppressed"], len(full["findings"]) + full["suppressed"])

    def test_filter_all_sees_what_all_sees(self):
        for crate in CRATES:
            with self.subTest(crate=crate):
                _, every = self.check(crate, "--all")
                _, filtered = self.check(crate, "--staged", "--filter", "all")
                key = lambda f: (f["path"], f["line"], f["rule"], f["fingerprint"])
                self.assertEqual(sorted(map(key, filtered["findings"])), sorted(map(key, every["findings"])))


if __name__ == "__main__":
    unittest.main(verbosity=2)
