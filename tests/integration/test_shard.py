"""--shard I/N splits the files deterministically; merge joins the shards' reports."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import RepoTest, run  # noqa: E402


class TestShard(RepoTest):
    def setUp(self):
        super().setUp()
        for i in range(40):
            self.repo.write(f"crate{i % 5}/src/m{i}.rs",
                            f"use chrono::Utc;\n\npub fn f{i}() -> i64 {{ chrono::Utc::now().timestamp() }}\n")
        self.repo.write("crate0/Cargo.toml", "[package]\nname = \"c0\"\n\n[dependencies]\nchrono = \"0.4\"\n")
        self.repo.commit()

    def report(self, *args, fmt="json"):
        out = os.path.join(self.repo.path, f"out-{fmt}-{'-'.join(a.replace('/', '_') for a in args)}")
        r = run(["check", "--all", "--fail-level", "never", "--output", f"{fmt}={out}", "--format", "json",
                 *args], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        return out

    def findings(self, path):
        with open(path) as f:
            doc = json.load(f)
        return doc, sorted((x["rule"], x["path"], x["line"], x["fingerprint"]) for x in doc["findings"])

    def test_four_shards_merge_to_the_unsharded_run(self):
        whole_doc, whole = self.findings(self.report())
        shards = [self.report("--shard", f"{i}/4") for i in range(1, 5)]
        parts = [self.findings(s)[1] for s in shards]
        # Every file in exactly one shard, and no shard empty for 41 files.
        self.assertEqual(sorted(sum(parts, [])), whole)
        self.assertTrue(all(parts))
        merged = os.path.join(self.repo.path, "merged.json")
        # A shard listed twice must not count twice.
        r = run(["merge", merged, *shards, shards[0]], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc, got = self.findings(merged)
        self.assertEqual(got, whole)
        self.assertEqual(doc["summary"], whole_doc["summary"])

    def test_shards_are_deterministic(self):
        a = self.findings(self.report("--shard", "2/3"))[1]
        b = self.findings(self.report("--shard", "2/3"))[1]
        self.assertEqual(a, b)

    def test_merge_sarif(self):
        r = run(["help", "check"], self.repo.path)
        probe = run(["check", "--all", "--format", "sarif", "--fail-level", "never"], self.repo.path)
        if probe.returncode != 0:
            self.skipTest("no SARIF reporter in this build")
        whole = json.loads(probe.stdout)
        shards = [self.report("--shard", f"{i}/4", fmt="sarif") for i in range(1, 5)]
        merged = os.path.join(self.repo.path, "merged.sarif")
        r = run(["merge", merged, *shards], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(merged) as f:
            doc = json.load(f)
        key = lambda res: (res["ruleId"], res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                           res["locations"][0]["physicalLocation"]["region"]["startLine"])
        self.assertEqual(sorted(map(key, doc["runs"][0]["results"])), sorted(map(key, whole["runs"][0]["results"])))
        rules = doc["runs"][0]["tool"]["driver"]["rules"]
        for res in doc["runs"][0]["results"]:
            self.assertEqual(rules[res["ruleIndex"]]["id"], res["ruleId"])

    def test_bad_input(self):
        bad = os.path.join(self.repo.path, "bad.json")
        with open(bad, "w") as f:
            f.write("{not json")
        r = run(["merge", os.path.join(self.repo.path, "o.json"), bad], self.repo.path)
        self.assertEqual(r.returncode, 2)
        self.assertIn("bad.json", r.stderr)
        for arg in ("0/4", "5/4", "x", "1/0"):
            r = run(["check", "--all", "--shard", arg], self.repo.path)
            self.assertEqual(r.returncode, 2, arg)


if __name__ == "__main__":
    unittest.main(verbosity=2)
