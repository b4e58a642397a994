"""The foundation end to end: change sources, exit codes, JSON contract, help."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import BIN, SOURCE_DIR, Repo, RepoTest, keys, run, run_json  # noqa: E402

CHRONO = "//! x\n\nuse chrono::Utc;\n\npub fn f() {}\n"


class TestStaged(RepoTest):
    def test_acceptance_staged_chrono_line_3(self):
        self.repo.write("src/lib.rs", "pub fn a() {}\n")
        self.repo.commit()
        self.repo.write("src/lib.rs", CHRONO)
        self.repo.stage()
        r, doc = run_json(["check", "--staged"], self.repo.path)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(("chrono-ban", "src/lib.rs", 3), keys(doc))
        f = [f for f in doc["findings"] if f["line"] == 3][0]
        self.assertEqual(f["severity"], "error")
        self.assertEqual(f["origin"], "rules")
        self.assertEqual(len(f["fingerprint"]), 16)
        self.assertEqual(doc["version"], 1)
        self.assertEqual(doc["tool"]["name"], "crabgate")
        self.assertEqual(doc["change"]["source"], "staged")
        self.assertEqual(len(doc["change"]["base"]), 40)
        self.assertIsNone(doc["change"]["head"])
        self.assertEqual(doc["summary"], {"error": 1, "warning": 0, "note": 0})

    def test_first_commit_has_no_head(self):
        self.repo.write("src/lib.rs", CHRONO)
        self.repo.stage()
        r, doc = run_json(["check"], self.repo.path)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIsNone(doc["change"]["base"])
        self.assertEqual(keys(doc), [("chrono-ban", "src/lib.rs", 3)])

    def test_checks_index_not_worktree(self):
        self.repo.write("src/lib.rs", "pub fn a() {}\n")
        self.repo.commit()
        self.repo.write("src/lib.rs", "pub fn a() {}\npub fn b() {}\n")
        self.repo.stage()
        self.repo.write("src/lib.rs", "pub fn a() {}\npub fn b() {}\nuse chrono::Utc;\n")  # not staged
        r, doc = run_json(["check", "--staged"], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(keys(doc), [])

    def test_unchanged_lines_are_not_reported(self):
        self.repo.write("src/lib.rs", CHRONO)
        self.repo.commit()
        self.repo.write("src/lib.rs", CHRONO + "pub fn g() {}\n")
        self.repo.stage()
        r, doc = run_json(["check"], self.repo.path)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(keys(doc), [])
        r, doc = run_json(["check", "--filter", "file"], self.repo.path)
        self.assertEqual(keys(doc), [("chrono-ban", "src/lib.rs", 3)])

    def test_rename_binary_spaces_crlf(self):
        body = "fn main() {\n    println!(\"long enough line for rename similarity\");\n}\n"
        self.repo.write("old.rs", body)
        self.repo.commit()
        self.repo.git("mv", "old.rs", "new name é.rs")
        self.repo.write("bin.rs", "\0\1\2\3", mode="w")
        self.repo.write("crlf dir/x.rs", "use chrono::Utc;\r\nfn a() {}\r\n")
        self.repo.stage()
        r, doc = run_json(["check"], self.repo.path)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(keys(doc), [("chrono-ban", "crlf dir/x.rs", 1)])
        self.assertIn({"path": "bin.rs", "reason": "binary file"}, doc["skipped"])

    def test_dash_C_discovers_upward(self):
        self.repo.write("sub/dir/a.rs", CHRONO)
        self.repo.stage()
        r, doc = run_json(["-C", os.path.join(self.repo.path, "sub", "dir"), "check"], "/")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(keys(doc), [("chrono-ban", "sub/dir/a.rs", 3)])


class TestRanges(RepoTest):
    def setUp(self):
        super().setUp()
        self.repo.write("src/lib.rs", "pub fn a() {}\n")
        self.base = self.repo.commit("base")
        self.repo.git("checkout", "-q", "-b", "feature")
        self.repo.write("src/lib.rs", CHRONO)
        self.head = self.repo.commit("feature")
        self.repo.git("checkout", "-q", "main")
        self.repo.write("other.rs", "use chrono::Local;\n")
        self.main_tip = self.repo.commit("main moves on")

    def test_base_head_uses_merge_base(self):
        r, doc = run_json(["check", "--base", "main", "--head", "feature"], self.repo.path)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(keys(doc), [("chrono-ban", "src/lib.rs", 3)])  # not other.rs from main
        self.assertEqual(doc["change"]["base"], self.base)
        self.assertEqual(doc["change"]["head"], self.head)

    def test_range_two_and_three_dots(self):
        r, doc = run_json(["check", "--range", "main...feature"], self.repo.path)
        self.assertEqual(keys(doc), [("chrono-ban", "src/lib.rs", 3)])
        r, doc = run_json(["check", "--range", f"{self.main_tip}..feature"], self.repo.path)
        # Two dots compare the trees: other.rs disappears (a deletion) and lib.rs changes.
        self.assertEqual(keys(doc), [("chrono-ban", "src/lib.rs", 3)])
        self.assertEqual(r.returncode, 1)

    def test_unknown_ref_is_input_error(self):
        r = run(["check", "--base", "nope"], self.repo.path)
        self.assertEqual(r.returncode, 2)
        self.assertIn("nope", r.stderr)

    def test_shallow_clone_names_the_fix(self):
        with tempfile.TemporaryDirectory() as d:
            clone = os.path.join(d, "clone")
            subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "feature",
                            "file://" + self.repo.path, clone], check=True, capture_output=True)
            r = run(["check", "--base", self.base], clone)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("fetch-depth: 0", r.stderr)
            self.assertIn("GIT_DEPTH: 0", r.stderr)
            subprocess.run(["git", "-C", clone, "fetch", "-q", "--depth", "1", "origin", "main"],
                           check=True, capture_output=True)
            r = run(["check", "--base", "origin/main"], clone)
            self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
            self.assertIn("fetch-depth: 0", r.stderr)


class TestDiffAndAll(RepoTest):
    def test_diff_from_stdin_uses_head_tree_content(self):
        self.repo.write("src/lib.rs", CHRONO)
        self.repo.commit()
        diff = self.repo.git("show", "--format=", "HEAD")
        r, doc = run_json(["check", "--diff", "-"], self.repo.path, input=diff + "\n")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(keys(doc), [("chrono-ban", "src/lib.rs", 3)])
        self.assertEqual(doc["change"]["source"], "diff")

    def test_diff_of_a_file_not_in_the_repo(self):
        diff = ("--- a/gen/x.rs\n+++ b/gen/x.rs\n@@ -10,2 +10,3 @@\n fn a() {}\n+use chrono::Utc;\n fn b() {}\n")
        path = os.path.join(self.repo.path, "p.diff")
        with open(path, "w") as f:
            f.write(diff)
        r, doc = run_json(["check", "--diff", path], self.repo.path)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(keys(doc), [("chrono-ban", "gen/x.rs", 11)])

    def test_bad_diff_is_exit_2_with_line(self):
        r = run(["check", "--diff", "-"], self.repo.path, input="--- a/x\n+++ b/x\n@@ -1,q +1 @@\n")
        self.assertEqual(r.returncode, 2)
        self.assertIn("diff:3", r.stderr)

    def test_all(self):
        self.repo.write("a/src/lib.rs", CHRONO)
        self.repo.write("a/Cargo.toml", "[package]\nname = \"a\"\n\n[dependencies]\nchrono = \"0.4\"\n")
        self.repo.write("README.md", "chrono\n")
        self.repo.commit()
        r, doc = run_json(["check", "--all"], self.repo.path)
        self.assertEqual(r.returncode, 1)
        chrono = [k for k in keys(doc) if k[0] == "chrono-ban"]
        self.assertEqual(chrono, [("chrono-ban", "a/Cargo.toml", 5), ("chrono-ban", "a/src/lib.rs", 3)])
        self.assertEqual(doc["change"]["source"], "all")


class TestAllSaysNothingChanged(RepoTest):
    """--all checks every tracked file: nothing is "changed" or "new" there."""

    def test_no_findings_counts_files_checked(self):
        self.repo.write("src/a.rs", "fn a() {}\n")
        self.repo.write("src/b.rs", "fn b() {}\n")
        self.repo.commit()
        out = tempfile.TemporaryDirectory()
        self.addCleanup(out.cleanup)
        summary = os.path.join(out.name, "summary.md")
        r = run(["check", "--all", "--summary", summary], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip().splitlines()[-1], "crabgate: no findings; 2 files checked")
        with open(summary) as f:
            md = f.read()
        self.assertIn("Checked 2 files (all)", md)
        self.assertNotIn("changed", md)
        # A real change still counts changed files.
        self.repo.write("src/b.rs", "fn b() {}\nfn c() {}\n")
        self.repo.stage()
        r = run(["check", "--staged"], self.repo.path)
        self.assertEqual(r.stdout.strip().splitlines()[-1], "crabgate: no findings in 1 changed file")

    def test_missing_bench_does_not_say_new_or_changed(self):
        self.repo.write("Cargo.toml", '[package]\nname = "tick"\nversion = "0.1.0"\nedition = "2021"\n')
        self.repo.write("src/lib.rs", "pub fn parse(s: &str) -> usize {\n    s.len()\n}\n")
        self.repo.commit()
        r, doc = run_json(["check", "--all"], self.repo.path)
        (f,) = [f for f in doc["findings"] if f["rule"] == "missing-bench"]
        self.assertNotIn("new or changed", f["message"])
        self.assertIn("pub fn `parse` has no benchmark", f["message"])
        self.repo.write("src/lib.rs", "pub fn parse(s: &str) -> usize {\n    s.len() + 1\n}\n")
        self.repo.stage()
        r, doc = run_json(["check", "--staged"], self.repo.path)
        (f,) = [f for f in doc["findings"] if f["rule"] == "missing-bench"]
        self.assertIn("new or changed", f["message"])


class TestExitCodesAndConfig(RepoTest):
    def setUp(self):
        super().setUp()
        self.repo.write("src/lib.rs", CHRONO)
        self.repo.stage()

    def test_fail_level(self):
        self.assertEqual(run(["check", "--fail-level", "never"], self.repo.path).returncode, 0)
        self.repo.write(".crabgate.yaml", "rules:\n  chrono-ban:\n    severity: warning\n")
        self.assertEqual(run(["check"], self.repo.path).returncode, 0)
        self.assertEqual(run(["check", "--fail-level", "warning"], self.repo.path).returncode, 1)

    def test_config_error_names_file_line_key(self):
        self.repo.write(".crabgate.yaml", "rules:\n  chrono-ban:\n    severity: fatal\n")
        r = run(["check"], self.repo.path)
        self.assertEqual(r.returncode, 2)
        self.assertIn(".crabgate.yaml:3: rules.chrono-ban.severity: expected one of error, warning, note, off",
                      r.stderr)

    def test_usage_errors(self):
        for args in (["check", "--bogus"], ["check", "--staged", "--all"], ["nosuch"], ["check", "--fail-level", "x"],
                     ["check", "--head", "HEAD"], ["explain", "nope"]):
            r = run(args, self.repo.path)
            self.assertEqual(r.returncode, 2, args)
            self.assertTrue(r.stderr.startswith("crabgate: error: "), r.stderr)

    def test_not_a_repository(self):
        with tempfile.TemporaryDirectory() as d:
            r = run(["check"], d)
            self.assertEqual(r.returncode, 2)
            self.assertIn("not in a git repository", r.stderr)

    def test_output_file_is_written_whole(self):
        out = os.path.join(self.repo.path, "out", "r.json")
        r = run(["check", "--format", "json", "--output", out], self.repo.path)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        with open(out) as f:
            self.assertIn('"chrono-ban"', f.read())

    def test_help_and_version(self):
        r = run(["--help"], self.repo.path)
        self.assertEqual(r.returncode, 0)
        for cmd in ("check", "demo", "explain", "rules", "version"):
            self.assertIn(cmd, r.stdout)
        r = run(["help", "check"], self.repo.path)
        self.assertIn("--fail-level", r.stdout)
        r = run(["check", "--help"], self.repo.path)
        self.assertIn("--fail-level", r.stdout)
        r = run(["version"], self.repo.path)
        self.assertRegex(r.stdout, r"^crabgate \d+\.\d+\.\d+")
        r = run(["explain", "chrono-ban"], self.repo.path)
        self.assertIn("Bad:", r.stdout)
        self.assertIn("Good:", r.stdout)
        r = run(["rules"], self.repo.path)
        self.assertIn("chrono-ban", r.stdout)

    def test_text_output(self):
        r = run(["check"], self.repo.path)
        self.assertIn("error[chrono-ban]", r.stdout)
        self.assertIn("--> src/lib.rs:3:1", r.stdout)
        self.assertIn("use chrono::Utc;", r.stdout)
        self.assertNotIn("\x1b[", r.stdout)


def parser_options(*files):
    """The options the argument parsers in src/ accept: getopt tables and strcmp'd literals."""
    found = set()
    for name in files:
        with open(os.path.join(SOURCE_DIR, "src", name)) as f:
            text = f.read()
        found |= {"--" + o for o in re.findall(r'\{\s*"([a-z][a-z-]*)",\s*(?:no|required|optional)_argument', text)}
        found |= set(re.findall(r'strn?cmp\((?:argv\[\w+\]|a),\s*"(--?[A-Za-z][a-z-]*)=?"', text))
    found -= {"--help", "-h"}
    return found


def mentions(text, option):
    return re.search(r"(?<![\w-])" + re.escape(option) + r"(?![\w-])", text) is not None


class TestHelpAgreesWithProgram(RepoTest):
    """Every help text names what the parser accepts, and says what the program does."""

    # command -> (source files of its parser, options it rejects although the shared parser has them)
    PARSERS = {
        "check": (["cmd/check.c"], set()),
        "ci": (["cmd/check.c", "cmd/ci.c"], set()),
        "install": (["cmd/install.c"], set()),
        "uninstall": (["cmd/install.c"], {"--chain", "--force"}),
        "init": (["cmd/init.c"], set()),
        "demo": (["cmd/demo.c"], set()),
        "memory": (["cmd/memory.c"], set()),
    }

    def help_of(self, cmd):
        r = run(["help", cmd], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_every_option_the_parser_accepts_is_in_its_help(self):
        for cmd, (files, rejected) in self.PARSERS.items():
            text = self.help_of(cmd)
            opts = parser_options(*files) - rejected
            self.assertTrue(opts, cmd)
            self.assertEqual(sorted(o for o in opts if not mentions(text, o)), [], f"help {cmd} misses these")
            # And --help itself works for each of them.
            r = run([cmd, "--help"], self.repo.path)
            self.assertEqual((r.returncode, r.stdout), (0, text), cmd)
        glob = run(["--help"], self.repo.path).stdout
        opts = parser_options("main.c")
        self.assertIn("--version", opts)
        self.assertEqual(sorted(o for o in opts if not mentions(glob, o)), [], "crabgate --help misses these")
        # baseline takes check's options and says so.
        self.assertIn("crabgate help check", self.help_of("baseline"))

    def test_check_synopsis_names_every_option(self):
        synopsis = self.help_of("check").split("\n\n")[0]
        missing = sorted(o for o in parser_options("cmd/check.c") if not mentions(synopsis, o))
        self.assertEqual(missing, [])

    def test_ci_help_has_one_update_memory(self):
        text = self.help_of("ci")
        self.assertEqual(len(re.findall(r"(?m)^  --update-memory ", text)), 1, text)
        self.assertIn("push", text.split("--update-memory ", 2)[-1].split("\n\n")[0])
        # ci checks the CI's change unless told otherwise: --staged is not its default.
        (staged,) = [l for l in text.splitlines() if l.startswith("  --staged ")]
        self.assertNotIn("default", staged)
        # check's own --update-memory stays in check's help.
        self.assertEqual(len(re.findall(r"(?m)^  --update-memory ", self.help_of("check"))), 1)

    def test_help_explain_is_more_than_a_usage_line(self):
        text = self.help_of("explain")
        self.assertGreater(len(text.strip().splitlines()), 3, text)
        self.assertIn("crabgate rules", text)
        r = run(["explain", "missing"], self.repo.path)
        self.assertEqual(r.returncode, 2)
        self.assertIn("did you mean missing-bench or missing-memory-files?", r.stderr)
        r = run(["explain", "blocking-in-asnyc"], self.repo.path)
        self.assertIn("did you mean blocking-in-async?", r.stderr)
        r = run(["explain", "zzz"], self.repo.path)
        self.assertNotIn("did you mean", r.stderr)

    def explain_matches_rules(self):
        listed = {}
        for line in run(["rules"], self.repo.path).stdout.splitlines():
            rule, state = line.split()[:2]
            listed[rule] = state
        self.assertGreater(len(listed), 5)
        for rule, state in listed.items():
            r = run(["explain", rule], self.repo.path)
            self.assertEqual(r.returncode, 0, r.stderr)
            m = re.match(rf"{re.escape(rule)} \((\w+) by default(?:, (\w+) when enabled)?(?:; (\w+) as configured)?\): ",
                         r.stdout)
            self.assertIsNotNone(m, r.stdout.splitlines()[0])
            self.assertEqual(m.group(3) or m.group(1), state, rule)
        return listed

    def test_explain_says_what_rules_says(self):
        listed = self.explain_matches_rules()
        self.assertEqual(listed["thiserror-errors"], "off")
        r = run(["explain", "thiserror-errors"], self.repo.path)
        self.assertTrue(r.stdout.startswith("thiserror-errors (off by default, note when enabled): "), r.stdout)
        self.repo.write(".crabgate.yaml", "rules:\n  thiserror-errors:\n    enabled: true\n"
                        "  missing-bench:\n    severity: error\n  chrono-ban:\n    enabled: false\n")
        listed = self.explain_matches_rules()
        self.assertEqual((listed["thiserror-errors"], listed["missing-bench"], listed["chrono-ban"]),
                         ("note", "error", "off"))


def block_scalar_lines(yaml_text):
    """The lines of config.yaml that are the value of a block scalar (`key: |`)."""
    lines, inside, lead = [], False, 0
    for line in yaml_text.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        if inside and line.strip() and indent <= lead:
            inside = False
        if inside:
            if line.strip():
                lines.append(line)
            continue
        if not line.lstrip().startswith("#") and re.search(r"[:-] [|>][-+0-9]*\s*$", line):
            inside, lead = True, indent
    return lines


class TestInit(RepoTest):
    def test_every_setting_line_is_commented_out_block_scalars_included(self):
        r = run(["init"], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.repo.path, ".crabgate.yaml")) as f:
            out = f.read().splitlines()
        with open(os.path.join(SOURCE_DIR, "config.yaml")) as f:
            default = f.read()
        block = block_scalar_lines(default)
        self.assertIn("    ## {key}: {title}", block)
        for line in block:
            self.assertIn("# " + line, out)
        comments = {l for l in default.splitlines() if l.lstrip().startswith("#")} - set(block)
        stray = [l for l in out if l.strip() and not l.startswith("# ") and l not in comments and l != "#"]
        self.assertEqual(stray, [])


class TestCiOutsideCI(RepoTest):
    def ci(self, *args):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GITHUB_", "GITLAB_", "CI_", "CRABGATE_", "OPENAI_", "ANTHROPIC_"))}
        env.update({"NO_COLOR": "1", "CRABGATE_BASE": self.base, "HOME": self.repo.path})
        return subprocess.run([BIN, "ci", *args], cwd=self.repo.path, capture_output=True, text=True, env=env)

    def setUp(self):
        super().setUp()
        self.repo.write("src/lib.rs", "pub fn a() {}\n")
        self.base = self.repo.commit()
        self.repo.write("src/lib.rs", CHRONO)
        self.repo.commit()

    def test_a_skipped_review_is_said_once(self):
        r = self.ci()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual((r.stdout + r.stderr).count("model review skipped"), 1, r.stdout + r.stderr)
        # Without a text report on the terminal, the log says it.
        r = self.ci("--format", "json")
        self.assertEqual(r.stderr.count("model review skipped"), 1, r.stderr)


class TestDemo(unittest.TestCase):
    def test_demo_prints_findings_and_cleans_up(self):
        with tempfile.TemporaryDirectory() as tmp:
            r = run(["demo"], "/", env={"TMPDIR": tmp})
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("error[chrono-ban]", r.stdout)
            self.assertIn("removed", r.stdout)
            self.assertEqual(os.listdir(tmp), [])

    def test_demo_announces_what_it_prints(self):
        with tempfile.TemporaryDirectory() as tmp:
            r = run(["demo"], "/", env={"TMPDIR": tmp})
        intro, report = r.stdout.split("Running `crabgate check --staged`", 1)
        announced = re.findall(r"\(([a-z-]+)\)$", intro, re.M)
        printed = re.findall(r"^(?:error|warning|note)\[([a-z-]+)\]", report, re.M)
        self.assertEqual(sorted(announced), sorted(printed))
        counts = re.search(r"^(\d+) errors?, (\d+) warnings?, (\d+) notes?$", report, re.M)
        self.assertEqual(sum(int(n) for n in counts.groups()), len(announced))


if __name__ == "__main__":
    unittest.main(verbosity=2)
