"""ci/new-rule.sh, the rule scaffold, end to end in a copy of the source tree.

In a temporary copy (never the checkout), `ci/new-rule.sh println-in-lib`
and a build of the crabgate target (the grammars from this build's cache)
give a rule that `crabgate rules` lists, that `.crabgate.yaml` turns on and
off, and whose generated case passes with every other case. The script
refuses an id that exists and one that is not an id.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import BUILD_DIR, GIT_ENV, SOURCE_DIR, Repo  # noqa: E402

RULE = "println-in-lib"


def source_files():
    """The files of the source tree: tracked ones and new ones git does not ignore."""
    r = subprocess.run(["git", "-C", SOURCE_DIR, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                       capture_output=True, text=True)
    if r.returncode:
        raise AssertionError("git ls-files: " + r.stderr)
    return [p for p in r.stdout.split("\0") if p and os.path.isfile(os.path.join(SOURCE_DIR, p))]


def grammar_cache():
    """This build's grammar cache, so the copy fetches nothing."""
    with open(os.path.join(BUILD_DIR, "CMakeCache.txt"), encoding="utf-8") as f:
        m = re.search(r"^CRABGATE_GRAMMAR_CACHE:PATH=(.*)$", f.read(), re.M)
    return m.group(1) if m else os.path.join(BUILD_DIR, "grammars")


def sh(args, cwd, env=None, check=True):
    r = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
    if check and r.returncode:
        raise AssertionError(f"{' '.join(args)} failed ({r.returncode}):\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}")
    return r


class TestNewRule(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="crabgate-new-rule-")
        cls.src = os.path.join(cls.tmp.name, "src")
        for rel in source_files():
            dst = os.path.join(cls.src, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(os.path.join(SOURCE_DIR, rel), dst)
        cls.scaffold = sh(["bash", "ci/new-rule.sh", RULE], cls.src)
        build = os.path.join(cls.tmp.name, "build")
        sh(["cmake", "-S", cls.src, "-B", build, "-DCRABGATE_GRAMMAR_CACHE=" + grammar_cache(),
            "-DCRABGATE_TESTS=OFF", "-DCRABGATE_SANITIZER_SUITE=OFF", "-DCMAKE_BUILD_TYPE=Debug"], cls.tmp.name)
        sh(["cmake", "--build", build, "--target", "crabgate", "-j2"], cls.tmp.name)
        cls.bin = os.path.join(build, "crabgate")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def crabgate(self, args, cwd):
        env = dict(os.environ, NO_COLOR="1", **GIT_ENV)
        env.pop("CRABGATE_CONFIG", None)
        return subprocess.run([self.bin, *args], cwd=cwd, capture_output=True, text=True, env=env)

    def test_files_written(self):
        for rel in ("src/rules/rule_println_in_lib.c", f"tests/cases/{RULE}_example/cmd",
                    f"tests/cases/{RULE}_example/expected.jsonl"):
            self.assertTrue(os.path.isfile(os.path.join(self.src, rel)), rel)
        with open(os.path.join(self.src, "src/rules/registry.c"), encoding="utf-8") as f:
            self.assertIn("&cg_rule_println_in_lib,", f.read())
        with open(os.path.join(self.src, "config.yaml"), encoding="utf-8") as f:
            self.assertRegex(f.read(), rf"\n  {RULE}:\n    enabled: false\n    severity: warning\n")

    def test_listed(self):
        r = self.crabgate(["rules"], self.tmp.name)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, rf"(?m)^{RULE} +off +")
        r = self.crabgate(["rules", "--format", "json"], self.tmp.name)
        rule = {x["id"]: x for x in json.loads(r.stdout)["rules"]}[RULE]
        self.assertEqual((rule["default_severity"], rule["enabled_by_default"]), ("warning", False))

    def test_config_turns_it_on_and_off(self):
        repo = Repo()
        self.addCleanup(repo.cleanup)
        repo.write("src/lib.rs", "pub fn f() {\n    println_in_lib_example!();\n}\n")
        repo.git("add", "-A")
        # (.crabgate.yaml, the finding's severity or None, what `crabgate rules` says)
        for config, want, state in ((f"rules:\n  {RULE}:\n    enabled: true\n", "warning", "warning"),
                                    (f"rules:\n  {RULE}:\n    enabled: true\n    severity: error\n", "error", "error"),
                                    (f"rules:\n  {RULE}:\n    enabled: false\n", None, "off"),
                                    (f"rules:\n  {RULE}:\n    enabled: true\n    skip: [\"src/**\"]\n", None,
                                     "warning"),
                                    ("", None, "off")):
            with self.subTest(config=config):
                repo.write(".crabgate.yaml", config)
                r = self.crabgate(["check", "--staged", "--format", "json"], repo.path)
                self.assertIn(r.returncode, (0, 1), r.stderr)
                got = [f["severity"] for f in json.loads(r.stdout)["findings"] if f["rule"] == RULE]
                self.assertEqual(got, [want] if want else [])
                self.assertEqual(r.returncode, 1 if want == "error" else 0)
                r = self.crabgate(["rules"], repo.path)
                self.assertRegex(r.stdout, rf"(?m)^{RULE} +{state} +")
        repo.write(".crabgate.yaml", f"rules:\n  {RULE}:\n    enabeld: true\n")
        r = self.crabgate(["check", "--staged"], repo.path)
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"rules.{RULE}.enabeld: unknown key", r.stderr)

    def test_every_case_passes(self):
        cases = os.path.join(self.src, "tests", "cases")
        names = sorted(n for n in os.listdir(cases) if os.path.isfile(os.path.join(cases, n, "cmd")))
        self.assertIn(f"{RULE}_example", names)
        r = sh([sys.executable, os.path.join(cases, "run_case.py"), *[os.path.join(cases, n) for n in names]],
               self.tmp.name, env=dict(os.environ, CRABGATE_BIN=self.bin), check=False)
        self.assertEqual(r.returncode, 0, r.stdout[-6000:] + r.stderr[-2000:])
        self.assertIn(f"case {RULE}_example: ok (1 findings, exit 0)", r.stdout)

    def test_refuses_existing_and_bad_ids(self):
        def read(rel):
            with open(os.path.join(self.src, rel), encoding="utf-8") as f:
                return f.read()
        before = [read(rel) for rel in ("src/rules/registry.c", "config.yaml")]
        for rid, status, words in ((RULE, 1, "exists already"), ("chrono-ban", 1, "exists already"),
                                   ("Println", 2, "is not a rule id"), ("a--b", 2, "is not a rule id"),
                                   ("x_y", 2, "is not a rule id")):
            with self.subTest(id=rid):
                r = sh(["bash", "ci/new-rule.sh", rid], self.src, check=False)
                self.assertEqual(r.returncode, status, r.stderr)
                self.assertIn(words, r.stderr)
        self.assertEqual([read(rel) for rel in ("src/rules/registry.c", "config.yaml")], before)


if __name__ == "__main__":
    unittest.main(verbosity=2)
