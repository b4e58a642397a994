"""`crabgate fix` applies the findings' fixes to the index and the work tree, prints the diff, and
never touches a file the user has edited since staging it."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import Repo, RepoTest, run, run_json  # noqa: E402

MANIFEST = ('[package]\nname = "fixme"\nversion = "0.1.0"\nedition = "2021"\n\n'
            '[dependencies]\ntokio = { version = "1", features = ["full"] }\n')
LIB = ("use std::time::Duration;\n"
       "\n"
       "pub async fn load(p: &str) -> std::io::Result<String> {\n"
       "    std::thread::sleep(Duration::from_millis(10));\n"
       "    let text = std::fs::read_to_string(p)?;\n"
       "    Ok(text)\n"
       "}\n")
FIXED = LIB.replace("std::thread::sleep(Duration::from_millis(10));",
                    "tokio::time::sleep(Duration::from_millis(10)).await;").replace(
                    "std::fs::read_to_string(p)?", "tokio::fs::read_to_string(p).await?")
MEMORY_FILES = ("memories.md", "lessons-learned.md", "scratchpad.md")


class TestFix(RepoTest):
    def setUp(self):
        super().setUp()
        self.repo.write("Cargo.toml", MANIFEST)
        self.repo.write("src/lib.rs", LIB)
        for name in MEMORY_FILES:  # so that only the tests of missing-memory-files see its fix
            self.repo.write(name, "")
        self.repo.stage()

    def read(self, rel):
        with open(os.path.join(self.repo.path, rel), encoding="utf-8") as f:
            return f.read()

    def blocking(self):
        r, doc = run_json(["check", "--staged"], self.repo.path)
        self.assertIsNotNone(doc, r.stderr)
        return [f for f in doc["findings"] if f["rule"] == "blocking-in-async"]

    def test_staged_fix_reaches_the_index_and_the_work_tree(self):
        r = run(["fix", "--staged"], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("-    std::thread::sleep(Duration::from_millis(10));\n"
                      "-    let text = std::fs::read_to_string(p)?;\n"
                      "+    tokio::time::sleep(Duration::from_millis(10)).await;\n"
                      "+    let text = tokio::fs::read_to_string(p).await?;\n", r.stdout)
        self.assertTrue(r.stdout.startswith("diff --git a/src/lib.rs b/src/lib.rs\n"), r.stdout)
        self.assertEqual(self.read("src/lib.rs"), FIXED)
        self.assertEqual(self.repo.git("show", ":src/lib.rs") + "\n", FIXED)
        # The index and the work tree agree, stat cache included: nothing shows as unstaged.
        self.assertEqual(self.repo.git("status", "--porcelain"),
                         "A  Cargo.toml\nA  lessons-learned.md\nA  memories.md\nA  scratchpad.md\nA  src/lib.rs")
        self.assertEqual(self.blocking(), [])
        again = run(["fix", "--staged"], self.repo.path)
        self.assertEqual((again.returncode, again.stdout), (0, ""), again.stderr)
        self.assertIn("nothing to apply", again.stderr)

    def test_a_file_with_unstaged_edits_is_left_byte_for_byte(self):
        edited = LIB + "// not staged yet\n"
        self.repo.write("src/lib.rs", edited)
        r = run(["fix", "--staged"], self.repo.path)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertIn("src/lib.rs left alone: it has unstaged edits", r.stderr)
        with open(os.path.join(self.repo.path, "src/lib.rs"), "rb") as f:
            self.assertEqual(f.read(), edited.encode())
        self.assertEqual(self.repo.git("show", ":src/lib.rs") + "\n", LIB)

    def test_dry_run_changes_nothing(self):
        r = run(["fix", "--dry-run"], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("+    tokio::time::sleep(Duration::from_millis(10)).await;\n", r.stdout)
        self.assertIn("would apply 2 fixes in 1 file", r.stderr)
        self.assertEqual(self.read("src/lib.rs"), LIB)
        self.assertEqual(self.repo.git("show", ":src/lib.rs") + "\n", LIB)

    def test_findings_without_a_fix_remain(self):
        self.repo.write("src/lib.rs", LIB.replace("    Ok(text)\n", "    std::fs::File::open(p)?.sync_all()?;\n    Ok(text)\n"))
        self.repo.stage()
        r = run(["fix"], self.repo.path)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("1 finding left without a fix applied", r.stderr)
        self.assertEqual([f["line"] for f in self.blocking()], [6])

    def test_maybe_incorrect_fixes_wait_for_unsafe(self):
        # Without tokio's `time` feature the sleep fix is right only once the feature is added.
        self.repo.write("Cargo.toml", MANIFEST.replace('"full"', '"fs"'))
        self.repo.stage()
        r = run(["fix"], self.repo.path)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("may be incorrect", r.stderr)
        self.assertIn("std::thread::sleep", self.read("src/lib.rs"))
        self.assertIn("tokio::fs::read_to_string(p).await?", self.read("src/lib.rs"))
        r = run(["fix", "--unsafe"], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read("src/lib.rs"), FIXED)

    def test_a_fix_with_a_placeholder_is_never_applied(self):
        self.repo.write(".crabgate.yaml", "rules:\n  unbounded-channel:\n    enabled: true\n")
        self.repo.write("src/lib.rs", "pub fn queue() -> tokio::sync::mpsc::UnboundedSender<u32> {\n"
                        "    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();\n"
                        "    std::mem::forget(rx);\n    tx\n}\n")
        self.repo.stage()
        before = self.read("src/lib.rs")
        # A warning: under the default fail level, so nothing is left that fails the run.
        r = run(["fix", "--unsafe", "--rule", "unbounded-channel"], self.repo.path)
        self.assertEqual((r.returncode, r.stdout), (0, ""), r.stderr)
        self.assertIn("nothing to apply", r.stderr)
        self.assertEqual(self.read("src/lib.rs"), before)
        r, doc = run_json(["check", "--staged"], self.repo.path)
        fix = [f for f in doc["findings"] if f["rule"] == "unbounded-channel"][0]["fix"]
        self.assertEqual(fix["applicability"], "has-placeholders")
        self.assertEqual([e["replacement"] for e in fix["edits"]], ["channel", "CAPACITY"])

    def test_missing_memory_files_are_created_and_staged(self):
        self.repo.git("rm", "-q", "--cached", *MEMORY_FILES)
        for name in MEMORY_FILES:
            os.remove(os.path.join(self.repo.path, name))
        r = run(["fix", "--rule", "missing-memory-files"], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("diff --git a/memories.md b/memories.md\nnew file mode 100644\n", r.stdout)
        init = os.path.join(self.tmp_init(), "")
        for name in MEMORY_FILES:
            with open(os.path.join(init, name), encoding="utf-8") as f:
                self.assertEqual(self.read(name), f.read(), name)  # what `crabgate init --memory` writes
            self.assertEqual(self.repo.git("show", f":{name}") + "\n", self.read(name))
        self.assertIn("applied 1 fix in 3 files", r.stderr)

    def test_a_memory_file_in_the_work_tree_only_is_never_overwritten(self):
        self.repo.git("rm", "-q", "--cached", *MEMORY_FILES)
        for name in ("memories.md", "lessons-learned.md"):
            os.remove(os.path.join(self.repo.path, name))
        self.repo.write("scratchpad.md", "the team's own notes\n")
        r = run(["fix", "--rule", "missing-memory-files"], self.repo.path)
        self.assertEqual((r.returncode, r.stdout), (0, ""), r.stderr)
        self.assertIn("scratchpad.md left alone: it exists in the work tree, not in the checked change", r.stderr)
        self.assertEqual(self.read("scratchpad.md"), "the team's own notes\n")
        self.assertFalse(os.path.exists(os.path.join(self.repo.path, "memories.md")))

    def tmp_init(self):
        """A folder where `crabgate init --memory` wrote its files, for comparison."""
        other = Repo()
        self.addCleanup(other.cleanup)
        r = run(["init", "--memory"], other.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        return other.path

    def test_rule_selection_and_bad_input(self):
        r = run(["fix", "--rule", "chrono-ban"], self.repo.path)
        self.assertEqual((r.returncode, r.stdout), (0, ""), r.stderr)
        self.assertEqual(self.read("src/lib.rs"), LIB)
        for args, says in ((["--rule", "no-such-rule"], "no such rule"), (["--staged", "--all"], "choose one"),
                           (["--diff", "-"], "unknown option"), (["stray"], "unexpected argument")):
            r = run(["fix", *args], self.repo.path)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(says, r.stderr)
        r = run(["help", "fix"], self.repo.path)
        self.assertEqual(r.returncode, 0)
        self.assertIn("usage: crabgate fix", r.stdout)

    def test_a_range_fixes_the_work_tree_only(self):
        base = self.repo.commit("base")
        self.repo.write("src/lib.rs", LIB.replace("    Ok(text)\n", "    let _ = std::fs::read(p)?;\n    Ok(text)\n"))
        self.repo.commit("head")
        r = run(["fix", "--base", base], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("let _ = tokio::fs::read(p).await?;", self.read("src/lib.rs"))
        # Only the added line's finding is the change's; the index is the user's to stage.
        self.assertIn("std::thread::sleep", self.read("src/lib.rs"))
        self.assertNotIn("tokio", self.repo.git("show", ":src/lib.rs"))


if __name__ == "__main__":
    unittest.main()
