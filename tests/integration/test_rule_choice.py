"""--rule, --skip-rule and --severity-override: rule choices over the configuration for one run.

One staged change trips chrono-ban (an error), blocking-in-async (an error) and missing-bench (a
warning); each option changes which of them show and at what level, on check and on ci, and an id
that is no rule stops the run before it reads the change (exit 2, with the ids it may mean).
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import RepoTest, run, run_json  # noqa: E402


class RuleChoice(RepoTest):
    def setUp(self):
        super().setUp()
        for name in ("memories.md", "lessons-learned.md", "scratchpad.md"):
            self.repo.write(name, "# x\n")
        self.repo.write("Cargo.toml", '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n')
        self.repo.write("src/lib.rs", "// empty\n")
        self.base = self.repo.commit("base")
        self.repo.write("Cargo.toml", '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n'
                                      '[dependencies]\nchrono = "0.4"\n')
        self.repo.write("src/lib.rs", "pub async fn load() {\n    std::thread::sleep(std::time::Duration::from_secs(1));\n}\n")
        self.repo.stage()

    def findings(self, *args):
        r, doc = run_json(["check", "--staged", *args], self.repo.path)
        self.assertIsNotNone(doc, r.stderr)
        return r, sorted((f["rule"], f["severity"]) for f in doc["findings"])

    def test_default_sees_all_three(self):
        _, found = self.findings()
        self.assertEqual({r for r, _ in found}, {"chrono-ban", "blocking-in-async", "missing-bench"})

    def test_rule_runs_only_the_named(self):
        r, found = self.findings("--rule", "missing-bench")
        self.assertEqual(found, [("missing-bench", "warning")])
        self.assertEqual(r.returncode, 0)  # a warning is under the default fail level
        _, found = self.findings("--rule", "missing-bench", "--rule", "chrono-ban")
        self.assertEqual({r for r, _ in found}, {"missing-bench", "chrono-ban"})

    def test_skip_rule(self):
        _, found = self.findings("--skip-rule", "chrono-ban", "--skip-rule", "blocking-in-async")
        self.assertEqual(found, [("missing-bench", "warning")])
        # --skip-rule wins over --rule, in either order.
        _, found = self.findings("--skip-rule", "missing-bench", "--rule", "missing-bench", "--rule", "chrono-ban")
        self.assertEqual(found, [("chrono-ban", "error")])

    def test_severity_override(self):
        r, found = self.findings("--rule", "missing-bench", "--severity-override", "missing-bench=error")
        self.assertEqual((r.returncode, found), (1, [("missing-bench", "error")]))
        _, found = self.findings("--severity-override", "chrono-ban=off", "--severity-override", "blocking-in-async=note")
        self.assertEqual(found, [("blocking-in-async", "note"), ("missing-bench", "warning")])

    def test_unknown_rule_stops_before_any_work(self):
        # The diff file does not exist: a run that got as far as reading the change would say so.
        for args, said in ((["--rule", "chrono-bam"], "--rule chrono-bam: no such rule; did you mean chrono-ban?"),
                           (["--skip-rule", "bench"], "--skip-rule bench: no such rule; did you mean missing-bench?"),
                           (["--severity-override", "chrono=error"], "did you mean chrono-ban?"),
                           (["--severity-override", "chrono-ban=fatal"], "expected a level of error, warning, note or off"),
                           (["--severity-override", "chrono-ban"], "expected RULE=LEVEL")):
            r = run(["check", "--diff", "no-such.diff", *args], self.repo.path)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(said, r.stderr)
            self.assertNotIn("no-such.diff", r.stderr)
            self.assertEqual(r.stdout, "")

    def test_ci_takes_them_too(self):
        self.repo.commit("change")
        r, doc = run_json(["ci", "--no-post", "--base", self.base, "--rule", "chrono-ban"], self.repo.path,
                          env={"GITHUB_ACTIONS": "", "GITLAB_CI": ""})
        self.assertIsNotNone(doc, r.stderr)
        self.assertEqual({f["rule"] for f in doc["findings"]}, {"chrono-ban"})
        r = run(["ci", "--no-post", "--rule", "nope-rule"], self.repo.path, env={"GITHUB_ACTIONS": "", "GITLAB_CI": ""})
        self.assertEqual(r.returncode, 2)
        self.assertIn("--rule nope-rule: no such rule", r.stderr)


if __name__ == "__main__":
    unittest.main()
