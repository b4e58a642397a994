"""check --staged finds the staged files through the cache-tree git writes in
the index (src/change/cache_tree.c), whatever index version git wrote, and
gives what a full comparison with HEAD gives: the files `git diff --cached`
lists and the findings on their added lines."""
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import RepoTest, run_json  # noqa: E402

CHRONO = "use chrono::Utc;\n\npub fn now() -> i64 { Utc::now().timestamp() }\n"


class TestStagedCacheTree(RepoTest):
    def setUp(self):
        super().setUp()
        files = {
            "a/b/c/deep.rs": "pub fn deep() {}\n",
            "a/b/other.rs": "pub fn other() {}\n",
            "d/e/gone.rs": "pub fn gone() -> u8 { 1 }\n",
            "f/was_dir.rs": "pub fn was_dir() -> u8 { 2 }\n",
            "top.rs": "pub fn top() -> u8 { 3 }\n",
            "x/keep.rs": "pub fn keep() {}\n",
            "a-b.rs": "pub fn sorts_before_a_slash() {}\n",
        }
        for path, text in files.items():
            self.repo.write(path, text)
        self.repo.commit("base")

    def stage_layout(self):
        """Edits in a deep folder, a new folder, a folder turned file, a file turned folder, a folder removed."""
        r = self.repo
        r.write("a/b/c/deep.rs", "pub fn deep() {}\n" + CHRONO)
        r.write("n/m/new.rs", CHRONO)
        shutil.rmtree(os.path.join(r.path, "f"))
        r.write("f", "a file where a folder was\n")
        os.remove(os.path.join(r.path, "top.rs"))
        r.write("top.rs/inner.rs", CHRONO)
        shutil.rmtree(os.path.join(r.path, "d"))
        r.git("add", "-A")

    def check(self):
        res, doc = run_json(["check", "--staged", "--fail-level", "never"], self.repo.path)
        self.assertEqual(res.returncode, 0, res.stderr)
        git_files = self.repo.git("diff", "--cached", "--name-status", "-M").splitlines()
        self.assertEqual(doc["change"]["files"], len(git_files), git_files)
        return sorted({f["path"] for f in doc["findings"] if f["rule"] == "chrono-ban"})

    def test_each_index_version(self):
        want = ["a/b/c/deep.rs", "n/m/new.rs", "top.rs/inner.rs"]
        for version in ("2", "3", "4"):
            with self.subTest(version=version):
                self.repo.git("reset", "-q", "--hard")
                self.repo.git("clean", "-qfd")
                self.repo.git("update-index", "--index-version", version)
                if version == "3":
                    # An entry with extended flags, as sparse checkouts write them.
                    self.repo.git("update-index", "--skip-worktree", "x/keep.rs")
                self.assertEqual(self.check(), [])
                self.stage_layout()
                self.assertEqual(self.check(), want)
                if version == "3":
                    self.repo.git("update-index", "--no-skip-worktree", "x/keep.rs")

    def test_cache_tree_of_another_commit(self):
        # After `git reset --soft`, the index's cache-tree is valid but records
        # the later commit's trees: every folder must still be compared with HEAD.
        self.stage_layout()
        self.repo.commit("head")
        self.repo.git("reset", "-q", "--soft", "HEAD~1")
        self.assertEqual(self.check(), ["a/b/c/deep.rs", "n/m/new.rs", "top.rs/inner.rs"])

    def test_intent_to_add(self):
        # `git add -N` entries are left out of the cache-tree: found all the same.
        self.repo.write("a/b/c/deep.rs", "pub fn deep() {}\n" + CHRONO)
        self.repo.git("add", "a/b/c/deep.rs")
        self.repo.write("a/b/later.rs", CHRONO)
        self.repo.git("add", "-N", "a/b/later.rs")
        res, doc = run_json(["check", "--staged", "--fail-level", "never"], self.repo.path)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("a/b/c/deep.rs", {f["path"] for f in doc["findings"]})

    def staged_doc(self, env=None):
        res, doc = run_json(["check", "--staged", "--fail-level", "never"], self.repo.path, env=env)
        self.assertEqual(res.returncode, 0, res.stderr)
        return {"change": doc["change"], "findings": doc["findings"]}

    def through_libgit2(self, env=None):
        """The same check with core.ignorecase set, which sends it through libgit2's own index loader."""
        self.repo.git("config", "core.ignorecase", "true")
        try:
            return self.staged_doc(env)
        finally:
            self.repo.git("config", "core.ignorecase", "false")

    def test_mapped_index_answers_as_libgit2s(self):
        # A crate whose bench file the crate model finds by listing the index, and a
        # .gitattributes that only the index holds (libgit2 reads it there for the patches).
        r = self.repo
        r.write("svc/Cargo.toml", '[package]\nname = "svc"\nversion = "0.1.0"\nedition = "2021"\n')
        r.write("svc/src/lib.rs", "pub fn load() -> u8 { 1 }\n")
        r.write("svc/benches/b.rs", "fn main() { svc::load(); }\n")
        r.write(".gitattributes", "gen.rs -diff\n")
        r.commit("crate")
        os.remove(os.path.join(r.path, ".gitattributes"))
        for version in ("2", "3", "4"):
            with self.subTest(version=version):
                r.git("update-index", "--index-version", version)
                r.write("svc/src/lib.rs", "pub fn load() -> u8 { 1 }\npub async fn save() { std::thread::sleep(d); }\n"
                        + CHRONO)
                r.write("gen.rs", CHRONO)
                r.write("a/b/c/deep.rs", "pub fn deep() {}\n" + CHRONO)
                r.git("add", "svc", "gen.rs", "a")
                doc = self.staged_doc()
                self.assertEqual(doc, self.through_libgit2())
                paths = {f["path"] for f in doc["findings"]}
                self.assertIn("svc/src/lib.rs", paths)
                self.assertNotIn("gen.rs", paths)  # binary by the index's .gitattributes
                r.git("reset", "-q", "--hard")
                os.remove(os.path.join(r.path, ".gitattributes"))

    def test_hook_index_file(self):
        # git runs the hook with GIT_INDEX_FILE naming the index of `git commit -a` or `git commit PATH`.
        self.repo.write("a/b/c/deep.rs", "pub fn deep() {}\n" + CHRONO)
        alt = os.path.join(self.repo.path, ".git", "alt-index")
        shutil.copy(os.path.join(self.repo.path, ".git", "index"), alt)
        subprocess.run(["git", "-C", self.repo.path, "update-index", "--add", "a/b/c/deep.rs"], check=True,
                       env=dict(os.environ, GIT_INDEX_FILE=alt))
        self.assertEqual(self.staged_doc()["findings"], [])
        doc = self.staged_doc(env={"GIT_INDEX_FILE": alt})
        self.assertEqual(sorted({f["path"] for f in doc["findings"] if f["rule"] == "chrono-ban"}), ["a/b/c/deep.rs"])
        self.assertEqual(doc, self.through_libgit2(env={"GIT_INDEX_FILE": alt}))


if __name__ == "__main__":
    unittest.main()
