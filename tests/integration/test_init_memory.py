"""`crabgate init --memory` writes the missing memory files, and missing-memory-files then goes quiet."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import RepoTest, keys, run, run_json  # noqa: E402

FILES = ("memories.md", "lessons-learned.md", "scratchpad.md")


class TestInitMemory(RepoTest):
    def setUp(self):
        super().setUp()
        self.repo.write("crates/parser/Cargo.toml", '[package]\nname = "parser"\nversion = "0.1.0"\n')
        self.repo.write("crates/parser/src/lib.rs", "fn parse() {}\n")
        self.repo.stage()

    def test_the_note_points_at_init_and_init_silences_it(self):
        r, doc = run_json(["check", "--staged"], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(keys(doc), [("missing-memory-files", "crates/parser/Cargo.toml", 1)])
        self.assertIn("crabgate init --memory", doc["findings"][0]["message"])

        r = run(["init", "--memory"], os.path.join(self.repo.path, "crates"))
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in FILES:
            path = os.path.join(self.repo.path, name)  # at the root, whatever the current folder
            self.assertTrue(os.path.isfile(path), name)
            self.assertIn(f"wrote {path}", r.stdout)
        with open(os.path.join(self.repo.path, "scratchpad.md")) as f:
            self.assertTrue(f.read().startswith("# Scratchpad\n"))

        self.repo.stage()
        r, doc = run_json(["check", "--staged"], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(keys(doc), [])

    def test_existing_files_are_never_overwritten(self):
        self.repo.write("lessons-learned.md", "# ours\n- keep this\n")
        r = run(["init", "--memory"], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("kept", r.stdout)
        with open(os.path.join(self.repo.path, "lessons-learned.md")) as f:
            self.assertEqual(f.read(), "# ours\n- keep this\n")
        # Twice is harmless: everything is kept.
        r = run(["init", "--memory"], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("wrote", r.stdout)

    def test_paths_follow_memory_files_in_config(self):
        self.repo.write(".crabgate.yaml", "memory:\n  files:\n    memories: docs/memories.md\n")
        r = run(["init", "--memory"], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(self.repo.path, "docs", "memories.md")))
        self.assertFalse(os.path.exists(os.path.join(self.repo.path, "memories.md")))
        # The rule reads the same names: docs/memories.md counts, at the root.
        self.repo.stage()
        r, doc = run_json(["check", "--staged"], self.repo.path)
        self.assertEqual(keys(doc), [])


if __name__ == "__main__":
    unittest.main()
