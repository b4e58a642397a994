"""crabgate in git hooks, end to end with the real tools.

`crabgate install` into real repositories and `git commit` / `git push` to real
bare remotes; the pre-commit framework from Debian's package; lefthook and
husky from npm (tests/tools/install_hook_tools.sh). The recipes are read from
docs/hooks.md, so the documentation is what is tested.
"""
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import BIN, BUILD_DIR, GIT_ENV, SOURCE_DIR  # noqa: E402

try:
    import yaml
except ImportError:  # Debian's python3-yaml, when this Python is not Debian's
    sys.path.append("/usr/lib/python3/dist-packages")
    import yaml

BIN_DIR = os.path.dirname(os.path.abspath(BIN))
HOOKS_SRC = os.path.join(SOURCE_DIR, "hooks")
DOCS = os.path.join(SOURCE_DIR, "docs", "hooks.md")

CLEAN = "//! ticks\n\npub fn tick() -> u32 {\n    1\n}\n"
BAD = "//! ticks\n\nuse chrono::Utc;\n\npub fn tick() -> u32 {\n    1\n}\n"


def recipe(name):
    """The fenced block after `<!-- recipe: NAME -->` in docs/hooks.md."""
    with open(DOCS, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<!-- recipe: " + re.escape(name) + r" -->\s*```[a-z]*\n(.*?)```", text, re.S)
    if not m:
        raise AssertionError(f"docs/hooks.md has no recipe '{name}'")
    return m.group(1)


def clean_env(path_prefix=(BIN_DIR,), **extra):
    """The environment of a person at a terminal: crabgate on PATH, no test variables."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "CRABGATE_", "PRE_COMMIT", "LEFTHOOK", "HUSKY", "SKIP"))}
    env.update(GIT_ENV)
    env["NO_COLOR"] = "1"
    env["PATH"] = os.pathsep.join([*path_prefix, env.get("PATH", "/usr/bin:/bin")])
    env.update(extra)
    return env


class Sandbox(unittest.TestCase):
    """A home folder, a repository with one clean commit, and a bare remote."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="crabgate-hooks-")
        self.tmp = self._tmp.name
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        self.remote = os.path.join(self.tmp, "remote.git")
        self.repo = os.path.join(self.tmp, "repo")
        os.makedirs(self.repo)
        self.env = clean_env(HOME=self.home)
        self.git("init", "-q", "--bare", "-b", "main", self.remote, cwd=self.tmp)
        self.git("init", "-q", "-b", "main")
        self.git("remote", "add", "origin", self.remote)
        self.write("src/lib.rs", CLEAN)
        self.write("Cargo.toml", '[package]\nname = "ticks"\nversion = "0.1.0"\nedition = "2021"\n')
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "initial")

    def tearDown(self):
        self._tmp.cleanup()

    def git(self, *args, cwd=None, check=True, env=None, input=None):
        r = subprocess.run(["git", *args], cwd=cwd or self.repo, env=env or self.env, input=input,
                           capture_output=True, text=True)
        if check and r.returncode:
            raise AssertionError(f"git {' '.join(args)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
        return r

    def crabgate(self, *args, cwd=None, env=None):
        return subprocess.run([BIN, *args], cwd=cwd or self.repo, env=env or self.env, capture_output=True,
                              text=True)

    def write(self, rel, text, root=None):
        full = os.path.join(root or self.repo, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)

    def head(self, cwd=None):
        return self.git("rev-parse", "HEAD", cwd=cwd).stdout.strip()

    def commit(self, msg, *extra, cwd=None, env=None):
        """`git commit` as a person types it; returns the CompletedProcess."""
        return self.git("commit", "-q", "-m", msg, *extra, cwd=cwd, check=False, env=env)

    def assertRefused(self, r, *needles):
        out = r.stdout + r.stderr
        self.assertNotEqual(r.returncode, 0, out)
        for n in needles:
            self.assertIn(n, out)

    def assertAccepted(self, r):
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def remote_ref(self, ref):
        r = self.git("rev-parse", "-q", "--verify", ref, cwd=self.remote, check=False)
        return r.stdout.strip() or None


class TestScripts(unittest.TestCase):
    """The hook scripts are POSIX sh: dash parses them and shellcheck finds nothing."""

    def scripts(self):
        return [os.path.join(HOOKS_SRC, n) for n in sorted(os.listdir(HOOKS_SRC))]

    def test_dash_parses(self):
        if not shutil.which("dash"):
            self.skipTest("dash is not installed (ci/setup.sh --tests installs it)")
        for s in self.scripts():
            r = subprocess.run(["dash", "-n", s], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, f"{s}: {r.stderr}")

    def test_shellcheck_clean(self):
        if not shutil.which("shellcheck"):
            self.skipTest("shellcheck is not installed (ci/setup.sh --tests installs it)")
        r = subprocess.run(["shellcheck", "-s", "sh", *self.scripts()], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_scripts_are_executable_with_marker(self):
        for s in self.scripts():
            self.assertTrue(os.stat(s).st_mode & stat.S_IXUSR, s)
            with open(s, encoding="utf-8") as f:
                text = f.read()
            self.assertTrue(text.startswith("#!/bin/sh\n"), s)
            self.assertIn("# crabgate-managed-hook", text)


class TestInstall(Sandbox):
    def hooks_dir(self):
        return os.path.join(self.repo, ".git", "hooks")

    def test_install_writes_the_embedded_scripts(self):
        r = self.crabgate("install", "--hook", "all")
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in ("pre-commit", "pre-push"):
            path = os.path.join(self.hooks_dir(), name)
            self.assertIn(path, r.stdout)
            self.assertTrue(os.stat(path).st_mode & stat.S_IXUSR)
            with open(path) as got, open(os.path.join(HOOKS_SRC, name)) as want:
                # hooks/ as it is, with the binary that installed it filled in.
                self.assertEqual(got.read(), want.read().replace("\ninstalled_by=''\n",
                                                                 f"\ninstalled_by='{os.path.abspath(BIN)}'\n", 1))
        r = self.crabgate("install")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("updated", r.stdout)

    def test_default_is_pre_commit_only(self):
        self.assertEqual(self.crabgate("install").returncode, 0)
        self.assertTrue(os.path.exists(os.path.join(self.hooks_dir(), "pre-commit")))
        self.assertFalse(os.path.exists(os.path.join(self.hooks_dir(), "pre-push")))

    def test_bad_hook_name_is_a_usage_error(self):
        r = self.crabgate("install", "--hook", "post-commit")
        self.assertEqual(r.returncode, 2)
        self.assertIn("expected pre-commit, pre-push or all", r.stderr)

    def test_outside_a_repository(self):
        r = self.crabgate("install", cwd=self.home)
        self.assertEqual(r.returncode, 2)
        self.assertIn("not in a git repository", r.stderr)

    def test_bad_commit_refused_with_the_finding(self):
        self.crabgate("install")
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        before = self.head()
        r = self.commit("use chrono")
        self.assertRefused(r, "error[chrono-ban]", "src/lib.rs:3:1", "use chrono::Utc;", "commit refused")
        self.assertEqual(self.head(), before)

    def test_clean_commit_goes_through(self):
        self.crabgate("install")
        self.write("src/lib.rs", CLEAN + "\npub fn tock() -> u32 {\n    2\n}\n")
        self.git("add", "src/lib.rs")
        before = self.head()
        self.assertAccepted(self.commit("tock"))
        self.assertNotEqual(self.head(), before)

    def test_no_verify_skips(self):
        self.crabgate("install")
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        r = self.commit("wip", "--no-verify")
        self.assertAccepted(r)
        self.assertNotIn("chrono-ban", r.stdout + r.stderr)

    def test_crabgate_skip_skips_and_says_so(self):
        self.crabgate("install")
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        r = self.commit("wip", env=dict(self.env, CRABGATE_SKIP="1"))
        self.assertAccepted(r)
        self.assertIn("crabgate: skipped (CRABGATE_SKIP=1)", r.stderr)

    def test_commit_all_and_commit_path_check_what_is_committed(self):
        # git names a temporary index in GIT_INDEX_FILE for -a and for paths.
        self.crabgate("install")
        self.write("src/lib.rs", BAD)
        self.assertRefused(self.commit("all", "-a"), "error[chrono-ban]")
        self.assertRefused(self.commit("path", "src/lib.rs"), "error[chrono-ban]")
        self.assertRefused(self.commit("only", "--only", "src/lib.rs"), "error[chrono-ban]")

    def test_work_tree_edits_are_not_checked(self):
        self.crabgate("install")
        self.write("src/lib.rs", CLEAN + "pub fn two() -> u32 {\n    2\n}\n")
        self.git("add", "src/lib.rs")
        self.write("src/lib.rs", BAD)  # not staged: not part of the commit
        self.assertAccepted(self.commit("staged part only"))

    def test_hook_runs_from_a_subfolder_commit(self):
        self.crabgate("install")
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        self.assertRefused(self.commit("from src", cwd=os.path.join(self.repo, "src")), "error[chrono-ban]")

    def copy_binary(self, folder):
        """A copy of the binary in `folder` (under the sandbox), as if installed or built there."""
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "crabgate")
        shutil.copy2(BIN, path)
        return path

    def no_path_env(self):
        env = clean_env(path_prefix=(), HOME=self.home, PATH="/usr/bin:/bin")
        self.assertIsNone(shutil.which("crabgate", path=env["PATH"]), "a crabgate on the system PATH spoils this")
        return env

    def test_missing_binary_one_clear_line(self):
        # The binary that installed the hook is gone too.
        copy = self.copy_binary(os.path.join(self.tmp, "gone"))
        r = subprocess.run([copy, "install"], cwd=self.repo, env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        os.unlink(copy)
        self.write("src/lib.rs", CLEAN + "// more\n")
        self.git("add", "src/lib.rs")
        r = self.commit("no binary", env=self.no_path_env())
        self.assertRefused(r, f"crabgate: 'crabgate' not found on PATH nor at {copy}, where crabgate install ran "
                              "from; install it")
        lines = [ln for ln in r.stderr.splitlines() if ln.startswith("crabgate")]
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn("CRABGATE_SKIP=1", lines[0])

    def test_hook_falls_back_on_the_binary_that_installed_it(self):
        # `./build/crabgate install` with no crabgate on PATH: the hook runs that binary.
        copy = self.copy_binary(os.path.join(self.tmp, "it's here"))
        r = subprocess.run([copy, "install", "--hook", "all"], cwd=self.repo, env=self.no_path_env(),
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("build folder", r.stderr)
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        self.assertRefused(self.commit("bad", env=self.no_path_env()), "error[chrono-ban]", "commit refused")
        self.git("commit", "-q", "--no-verify", "-m", "bad")
        r = self.git("push", "origin", "main", check=False, env=self.no_path_env())
        self.assertRefused(r, "error[chrono-ban]", "push refused")

    def test_install_from_a_build_folder_warns(self):
        build = os.path.join(self.tmp, "build")
        copy = self.copy_binary(build)
        with open(os.path.join(build, "CMakeCache.txt"), "w") as f:
            f.write("# a CMake build folder\n")
        r = subprocess.run([copy, "install"], cwd=self.repo, env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"crabgate: warning: {copy} is in a build folder", r.stderr)
        self.assertIn("cmake --install", r.stderr)

    def test_crabgate_bin_names_the_binary(self):
        self.crabgate("install")
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        env = clean_env(path_prefix=(), HOME=self.home, PATH="/usr/bin:/bin", CRABGATE_BIN=os.path.abspath(BIN))
        self.assertRefused(self.commit("bin", env=env), "error[chrono-ban]")

    def test_core_hooks_path_relative_to_the_work_tree(self):
        self.git("config", "core.hooksPath", ".githooks")
        sub = os.path.join(self.repo, "src")
        r = self.crabgate("install", cwd=sub)  # from a subfolder: still the work tree's .githooks
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(self.repo, ".githooks", "pre-commit")))
        self.assertFalse(os.path.exists(os.path.join(sub, ".githooks")))
        self.assertFalse(os.path.exists(os.path.join(self.hooks_dir(), "pre-commit")))
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        self.assertRefused(self.commit("bad"), "error[chrono-ban]")
        self.assertEqual(self.crabgate("uninstall").returncode, 0)
        self.assertFalse(os.path.exists(os.path.join(self.repo, ".githooks", "pre-commit")))

    def test_core_hooks_path_absolute_and_home(self):
        shared = os.path.join(self.tmp, "shared-hooks")
        self.git("config", "core.hooksPath", shared)
        self.assertEqual(self.crabgate("install").returncode, 0)
        self.assertTrue(os.path.isfile(os.path.join(shared, "pre-commit")))
        self.git("config", "core.hooksPath", "~/githooks")
        self.assertEqual(self.crabgate("install").returncode, 0)
        self.assertTrue(os.path.isfile(os.path.join(self.home, "githooks", "pre-commit")))

    def write_foreign(self, name, body):
        path = os.path.join(self.hooks_dir(), name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + body)
        os.chmod(path, 0o755)
        return path

    def test_foreign_hook_is_never_overwritten(self):
        path = self.write_foreign("pre-commit", "echo team-hook-ran >&2\n")
        r = self.crabgate("install")
        self.assertEqual(r.returncode, 2)
        self.assertIn("a hook that crabgate did not write is there", r.stderr)
        self.assertIn("--chain", r.stderr)
        with open(path) as f:
            self.assertIn("team-hook-ran", f.read())

    def test_chain_keeps_the_foreign_hook_and_runs_it_first(self):
        marker = os.path.join(self.tmp, "team-hook-ran")
        path = self.write_foreign("pre-commit", f'echo "$0" > "{marker}"\n')
        r = self.crabgate("install", "--chain")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("pre-commit.local", r.stdout)
        self.assertTrue(os.path.isfile(path + ".local"))
        # A clean commit runs both.
        self.write("src/lib.rs", CLEAN + "// one\n")
        self.git("add", "src/lib.rs")
        self.assertAccepted(self.commit("clean"))
        self.assertTrue(os.path.exists(marker))
        # crabgate still refuses a bad one.
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        self.assertRefused(self.commit("bad"), "error[chrono-ban]")
        # A failing team hook refuses the commit on its own.
        self.write_foreign("pre-commit.local", "echo team-hook-says-no >&2\nexit 3\n")
        self.write("src/lib.rs", CLEAN + "// two\n")
        self.git("add", "src/lib.rs")
        self.assertRefused(self.commit("team no"), "team-hook-says-no")
        # Uninstall puts the team's hook back.
        r = self.crabgate("uninstall")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(path + ".local"))
        with open(path) as f:
            self.assertIn("team-hook-says-no", f.read())

    def test_chain_refuses_to_clobber_an_existing_local(self):
        self.write_foreign("pre-commit", "exit 0\n")
        self.write_foreign("pre-commit.local", "exit 0\n")
        r = self.crabgate("install", "--chain")
        self.assertEqual(r.returncode, 2)
        self.assertIn("pre-commit.local exists already", r.stderr)

    def test_force_sets_the_foreign_hook_aside(self):
        path = self.write_foreign("pre-commit", "echo old\n")
        r = self.crabgate("install", "--force")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("crabgate-backup", r.stdout)
        with open(path + ".crabgate-backup") as f:
            self.assertIn("echo old", f.read())
        with open(path) as f:
            self.assertIn("crabgate-managed-hook", f.read())

    def test_uninstall_removes_only_ours(self):
        self.crabgate("install")
        foreign = self.write_foreign("pre-push", "exit 0\n")
        r = self.crabgate("uninstall")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.hooks_dir(), "pre-commit")))
        self.assertTrue(os.path.exists(foreign))
        self.assertIn("not crabgate's; left alone", r.stdout)

    def test_worktree_install_is_shared(self):
        wt = os.path.join(self.tmp, "wt")
        self.git("worktree", "add", "-q", "-b", "side", wt)
        r = self.crabgate("install", cwd=wt)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(self.hooks_dir(), "pre-commit")), r.stdout)
        self.write("src/lib.rs", BAD, root=wt)
        self.git("add", "src/lib.rs", cwd=wt)
        self.assertRefused(self.commit("bad in worktree", cwd=wt), "error[chrono-ban]", "src/lib.rs:3:1")
        # And the main work tree is guarded by the same hook.
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        self.assertRefused(self.commit("bad in main"), "error[chrono-ban]")


class TestPrePush(Sandbox):
    def setUp(self):
        super().setUp()
        r = self.crabgate("install", "--hook", "pre-push")
        self.assertEqual(r.returncode, 0, r.stderr)

    def push(self, *args, env=None):
        return self.git("push", "origin", *args, check=False, env=env)

    def bad_commit(self, msg="bad"):
        self.write("src/lib.rs", BAD)
        self.git("add", "-A")
        self.git("commit", "-q", "--no-verify", "-m", msg)
        return self.head()

    def clean_commit(self, text, msg="clean"):
        self.write("src/more.rs", text)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", msg)
        return self.head()

    def test_first_push_of_a_clean_history(self):
        self.assertAccepted(self.push("main"))
        self.assertEqual(self.remote_ref("refs/heads/main"), self.head())

    def test_first_push_of_a_bad_history_is_refused(self):
        self.bad_commit()
        r = self.push("main")
        self.assertRefused(r, "error[chrono-ban]", "push refused")
        self.assertIsNone(self.remote_ref("refs/heads/main"))

    def test_update_of_a_branch(self):
        self.assertAccepted(self.push("main"))
        good = self.clean_commit("pub fn more() {}\n")
        self.assertAccepted(self.push("main"))
        self.assertEqual(self.remote_ref("refs/heads/main"), good)
        self.bad_commit()
        r = self.push("main")
        self.assertRefused(r, "error[chrono-ban]", "src/lib.rs:3:1", "refs/heads/main -> refs/heads/main")
        self.assertEqual(self.remote_ref("refs/heads/main"), good)

    def test_new_branch_with_a_violation_is_refused(self):
        self.assertAccepted(self.push("main"))
        self.git("checkout", "-q", "-b", "feature")
        self.clean_commit("pub fn more() {}\n")
        self.bad_commit()
        r = self.push("feature")
        self.assertRefused(r, "error[chrono-ban]")
        self.assertIsNone(self.remote_ref("refs/heads/feature"))

    def test_new_clean_branch_goes_through(self):
        self.assertAccepted(self.push("main"))
        self.git("checkout", "-q", "-b", "feature")
        tip = self.clean_commit("pub fn more() {}\n")
        self.assertAccepted(self.push("feature"))
        self.assertEqual(self.remote_ref("refs/heads/feature"), tip)

    def test_new_branch_checks_only_what_the_push_adds(self):
        # A violation already on the remote (pushed with --no-verify) is not
        # the new branch's doing.
        self.bad_commit()
        self.assertAccepted(self.push("--no-verify", "main"))
        self.git("checkout", "-q", "-b", "feature")
        tip = self.clean_commit("pub fn more() {}\n")
        self.assertAccepted(self.push("feature"))
        self.assertEqual(self.remote_ref("refs/heads/feature"), tip)
        # Nor the update of that branch.
        tip = self.clean_commit("pub fn more() {}\npub fn most() {}\n")
        self.assertAccepted(self.push("feature"))
        self.assertEqual(self.remote_ref("refs/heads/feature"), tip)

    def test_new_branch_of_pushed_commits_only(self):
        self.assertAccepted(self.push("main"))
        self.git("branch", "copy")
        self.assertAccepted(self.push("copy"))
        self.assertEqual(self.remote_ref("refs/heads/copy"), self.head())

    def test_deletion_goes_through(self):
        self.assertAccepted(self.push("main"))
        self.git("checkout", "-q", "-b", "feature")
        self.clean_commit("pub fn more() {}\n")
        self.assertAccepted(self.push("feature"))
        self.bad_commit()  # the local branch is bad; deleting the remote one adds nothing
        self.assertAccepted(self.push("--delete", "feature"))
        self.assertIsNone(self.remote_ref("refs/heads/feature"))

    def test_several_refs_in_one_push(self):
        self.assertAccepted(self.push("main"))
        self.git("checkout", "-q", "-b", "good")
        self.clean_commit("pub fn more() {}\n")
        self.git("checkout", "-q", "main")
        self.git("checkout", "-q", "-b", "bad")
        self.bad_commit()
        r = self.push("good", "bad")
        self.assertRefused(r, "refs/heads/bad -> refs/heads/bad: findings above")
        self.assertNotIn("refs/heads/good -> refs/heads/good", r.stderr)

    def test_tag_push(self):
        self.assertAccepted(self.push("main"))
        self.bad_commit()
        self.git("tag", "-a", "-m", "v1", "v1")
        self.assertRefused(self.push("v1"), "error[chrono-ban]")

    def test_skips(self):
        self.bad_commit()
        r = self.push("main", env=dict(self.env, CRABGATE_SKIP="1"))
        self.assertAccepted(r)
        self.assertIn("crabgate: skipped (CRABGATE_SKIP=1)", r.stderr)
        self.write("src/lib.rs", BAD + "// more\n")
        self.git("commit", "-q", "--no-verify", "-am", "again")
        self.assertAccepted(self.push("--no-verify", "main"))
        self.assertEqual(self.remote_ref("refs/heads/main"), self.head())

    def test_chained_pre_push_sees_the_same_input(self):
        seen = os.path.join(self.tmp, "seen")
        hooks = os.path.join(self.repo, ".git", "hooks")
        os.unlink(os.path.join(hooks, "pre-push"))
        with open(os.path.join(hooks, "pre-push"), "w") as f:
            f.write(f'#!/bin/sh\necho "$1 $2" > "{seen}"\ncat >> "{seen}"\n')
        os.chmod(os.path.join(hooks, "pre-push"), 0o755)
        self.assertEqual(self.crabgate("install", "--hook", "pre-push", "--chain").returncode, 0)
        self.assertAccepted(self.push("main"))
        with open(seen) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], f"origin {self.remote}")
        self.assertEqual(lines[1].split()[0:2], ["refs/heads/main", self.head()])

    def test_hook_under_dash_directly(self):
        if not shutil.which("dash"):
            self.skipTest("dash is not installed (ci/setup.sh --tests installs it)")
        self.assertAccepted(self.push("main"))
        base = self.head()
        tip = self.bad_commit()
        line = f"refs/heads/main {tip} refs/heads/main {base}\n"
        script = os.path.join(HOOKS_SRC, "pre-push")
        r = subprocess.run(["dash", script, "origin", self.remote], cwd=self.repo, env=self.env, input=line,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("error[chrono-ban]", r.stdout)


class PreCommitSandbox(Sandbox):
    """Debian's pre-commit with this repository's .pre-commit-hooks.yaml; no network."""

    def setUp(self):
        if not shutil.which("pre-commit"):
            self.skipTest("the pre-commit framework is not installed (ci/setup.sh --tests installs Debian's pre-commit)")
        super().setUp()
        self.env["PRE_COMMIT_HOME"] = os.path.join(self.tmp, "pre-commit-home")

    def install(self, config):
        self.write(".pre-commit-config.yaml", config)
        self.git("add", ".pre-commit-config.yaml")
        self.git("commit", "-q", "-m", "pre-commit config")
        cmd = recipe("pre-commit-install").strip().split()
        r = subprocess.run(cmd, cwd=self.repo, env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


class TestPreCommitFramework(PreCommitSandbox):
    def exercise(self):
        self.write("src/lib.rs", CLEAN + "// tidy\n")
        self.git("add", "src/lib.rs")
        self.assertAccepted(self.commit("clean"))
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        before = self.head()
        r = self.commit("bad")
        self.assertRefused(r, "crabgate", "Failed", "error[chrono-ban]", "src/lib.rs:3:1")
        self.assertEqual(self.head(), before)
        # pre-push: a clean first push, then a bad commit pushed is refused.
        self.assertAccepted(self.git("push", "origin", "main", check=False))
        self.git("commit", "-q", "--no-verify", "-m", "bad")
        r = self.git("push", "origin", "main", check=False)
        self.assertRefused(r, "crabgate (pushed commits)", "error[chrono-ban]")
        self.assertEqual(self.remote_ref("refs/heads/main"), before)

    def test_repo_local_recipe(self):
        config = recipe("pre-commit-local")
        local = {h["id"]: h for h in yaml.safe_load(config)["repos"][0]["hooks"]}
        with open(os.path.join(SOURCE_DIR, ".pre-commit-hooks.yaml")) as f:
            manifest = {h["id"]: h for h in yaml.safe_load(f)}
        self.assertEqual(set(local), set(manifest))
        for hid, h in manifest.items():
            for key in ("entry", "language", "pass_filenames", "require_serial", "always_run", "stages"):
                self.assertEqual(local[hid].get(key), h.get(key), f"docs/hooks.md {hid}.{key} differs from .pre-commit-hooks.yaml")
        self.install(config)
        self.exercise()

    def test_by_url_recipe(self):
        # The manifest served from a repository by path: what pre-commit
        # clones by URL, without the network.
        hooks_repo = os.path.join(self.tmp, "crabgate-hooks")
        os.makedirs(hooks_repo)
        shutil.copy(os.path.join(SOURCE_DIR, ".pre-commit-hooks.yaml"), hooks_repo)
        self.git("init", "-q", cwd=hooks_repo)
        self.git("add", "-A", cwd=hooks_repo)
        self.git("commit", "-q", "-m", "hooks", cwd=hooks_repo)
        rev = self.head(cwd=hooks_repo)
        config = recipe("pre-commit-url")
        config = re.sub(r"repo: \S+", f"repo: {hooks_repo}", config)
        config = re.sub(r"rev: \S+", f"rev: {rev}", config)
        self.install(config)
        self.exercise()


class TestPreCommitFiles(PreCommitSandbox):
    """`pre-commit run` names the files: --all-files on a committed violation, and a staged change."""

    def setUp(self):
        super().setUp()
        self.install(recipe("pre-commit-local"))

    def run_pre_commit(self, *args):
        return subprocess.run(["pre-commit", "run", *args], cwd=self.repo, env=self.env, capture_output=True,
                              text=True)

    def test_run_all_files_names_a_committed_violation(self):
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        self.git("commit", "-q", "--no-verify", "-m", "bad")
        r = self.run_pre_commit("--all-files")
        self.assertRefused(r, "Failed", "error[chrono-ban]", "src/lib.rs:3:1")
        self.assertNotIn("0 changed files", r.stdout)

    def test_crabgate_skip(self):
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        # pre-commit shows a passing hook's output only with --verbose.
        self.assertAccepted(self.commit("skipped", env=dict(self.env, CRABGATE_SKIP="1")))

    def test_run_all_files_on_a_clean_tree_passes(self):
        r = self.run_pre_commit("--all-files")
        self.assertAccepted(r)
        self.assertIn("Passed", r.stdout)

    def test_staged_change_reports_only_its_lines(self):
        # A violation already committed in the file, and a new one staged: only
        # the new one is the change's.
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        self.git("commit", "-q", "--no-verify", "-m", "old violation")
        self.write("src/lib.rs", BAD + "\npub fn later() -> chrono::NaiveDate {\n    todo!()\n}\n")
        self.git("add", "src/lib.rs")
        r = self.run_pre_commit()
        self.assertRefused(r, "Failed", "error[chrono-ban]", "src/lib.rs:9:")
        self.assertNotIn("src/lib.rs:3:1", r.stdout)
        # And through git commit, where pre-commit passes the staged file names.
        self.assertRefused(self.commit("new violation"), "src/lib.rs:9:")


class TestCheckFiles(Sandbox):
    """`crabgate check -- FILE...`: named files, staged or as committed."""

    def test_committed_file_is_checked_whole(self):
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        self.git("commit", "-q", "-m", "bad")
        self.assertEqual(self.crabgate("check").returncode, 0)  # nothing staged
        for args in (["--", "src/lib.rs"], ["--staged", "--", "./src/lib.rs"], ["--", "src"]):
            r = self.crabgate("check", *args)
            self.assertEqual(r.returncode, 1, (args, r.stdout, r.stderr))
            self.assertIn("src/lib.rs:3:1", r.stdout)
        # From a subfolder, names are relative to it.
        r = self.crabgate("check", "--", "lib.rs", cwd=os.path.join(self.repo, "src"))
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("src/lib.rs:3:1", r.stdout)
        # A name given twice, or inside a folder also named, is checked once.
        r = self.crabgate("check", "--", "src/lib.rs", "./src/lib.rs", "src", "src/")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stdout.count("src/lib.rs:3:1"), 1, r.stdout)
        # A file not named is not checked.
        r = self.crabgate("check", "--", "Cargo.toml")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_staged_file_keeps_its_changed_lines(self):
        self.write("src/lib.rs", BAD)
        self.write("src/old.rs", "use chrono::Utc;\n")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "bad")
        self.write("src/lib.rs", BAD + "pub fn d() -> chrono::NaiveDate {\n    todo!()\n}\n")
        self.git("add", "src/lib.rs")
        r = self.crabgate("check", "--", "src/lib.rs", "src/old.rs")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("src/lib.rs:8:", r.stdout)
        self.assertNotIn("src/lib.rs:3:1", r.stdout)
        self.assertIn("src/old.rs:1:1", r.stdout)
        # The staged change, narrowed: an unnamed staged file is left out.
        r = self.crabgate("check", "--", "Cargo.toml")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_bad_names(self):
        r = self.crabgate("check", "--", "src/nope.rs")
        self.assertEqual(r.returncode, 2)
        self.assertIn("'src/nope.rs' is not in the index", r.stderr)
        r = self.crabgate("check", "--", "../elsewhere.rs")
        self.assertEqual(r.returncode, 2)
        self.assertIn("outside the work tree", r.stderr)
        r = self.crabgate("check", "--", "src/*.txt")
        self.assertEqual(r.returncode, 2)
        self.assertIn("'src/*.txt' matches no file in the index", r.stderr)


def hook_tools():
    """Installs lefthook and husky (pinned) once; returns their node_modules/.bin."""
    script = os.path.join(SOURCE_DIR, "tests", "tools", "install_hook_tools.sh")
    r = subprocess.run(["bash", script], capture_output=True, text=True,
                       env=dict(os.environ, CRABGATE_BUILD_DIR=BUILD_DIR))
    if r.returncode:
        raise AssertionError("install_hook_tools.sh failed:\n" + r.stderr)
    return os.path.join(r.stdout.strip(), "node_modules", ".bin")


class TestLefthook(Sandbox):
    def install_lefthook(self):
        bin_dir = hook_tools()
        self.env["PATH"] = bin_dir + os.pathsep + self.env["PATH"]
        self.write("lefthook.yml", recipe("lefthook"))
        r = subprocess.run(["lefthook", "install"], cwd=self.repo, env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.git("add", "lefthook.yml")
        self.assertAccepted(self.commit("lefthook"))

    def test_crabgate_skip(self):
        self.install_lefthook()
        self.assertAccepted(self.git("push", "origin", "main", check=False))
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        skip = dict(self.env, CRABGATE_SKIP="1")
        r = self.commit("skipped", env=skip)
        self.assertAccepted(r)
        self.assertIn("crabgate: skipped (CRABGATE_SKIP=1)", r.stdout + r.stderr)
        r = self.git("push", "origin", "main", check=False, env=skip)
        self.assertAccepted(r)
        self.assertEqual(self.remote_ref("refs/heads/main"), self.head())

    def test_refusal_follows_the_findings(self):
        # lefthook shows a command's standard output after it ends and its
        # standard error as it comes: the verdict must not overtake the findings.
        self.install_lefthook()
        self.assertAccepted(self.git("push", "origin", "main", check=False))
        self.git("commit", "-q", "--no-verify", "--allow-empty", "-m", "nothing")
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        self.git("commit", "-q", "--no-verify", "-m", "bad")
        r = self.git("push", "origin", "main", check=False)
        out = r.stderr + r.stdout  # git hands a hook's output on as its own standard error
        self.assertRefused(r, "error[chrono-ban]", "findings above", "push refused")
        self.assertLess(out.index("error[chrono-ban]"), out.index("findings above"), out)
        self.assertLess(out.index("error[chrono-ban]"), out.index("push refused"), out)

    def test_recipe_blocks_bad_commit_and_push(self):
        self.install_lefthook()
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        before = self.head()
        self.assertRefused(self.commit("bad"), "error[chrono-ban]", "src/lib.rs:3:1")
        self.assertEqual(self.head(), before)
        self.assertAccepted(self.git("push", "origin", "main", check=False))
        self.git("commit", "-q", "--no-verify", "-m", "bad")
        self.assertRefused(self.git("push", "origin", "main", check=False), "error[chrono-ban]", "push refused")
        self.assertEqual(self.remote_ref("refs/heads/main"), before)
        self.git("reset", "-q", "--hard", before)
        self.write("src/more.rs", "pub fn more() {}\n")
        self.git("add", "-A")
        self.assertAccepted(self.commit("clean"))
        tip = self.head()
        self.assertAccepted(self.git("push", "origin", "main", check=False))
        self.assertEqual(self.remote_ref("refs/heads/main"), tip)


class TestHusky(Sandbox):
    def test_crabgate_skip(self):
        bin_dir = hook_tools()
        self.env["PATH"] = bin_dir + os.pathsep + self.env["PATH"]
        r = subprocess.run(["husky"], cwd=self.repo, env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.write(".husky/pre-commit", recipe("husky-pre-commit"))
        self.git("add", ".husky")
        self.assertAccepted(self.commit("husky"))
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        r = self.commit("skipped", env=dict(self.env, CRABGATE_SKIP="1"))
        self.assertAccepted(r)
        self.assertIn("crabgate: skipped (CRABGATE_SKIP=1)", r.stdout + r.stderr)

    def test_recipe_blocks_bad_commit_and_push(self):
        bin_dir = hook_tools()
        self.env["PATH"] = bin_dir + os.pathsep + self.env["PATH"]
        # `npx husky` (what husky init and the prepare script run), offline.
        r = subprocess.run(["husky"], cwd=self.repo, env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.git("config", "core.hooksPath").stdout.strip(), ".husky/_")
        self.write(".husky/pre-commit", recipe("husky-pre-commit"))
        self.write(".husky/pre-push", recipe("husky-pre-push"))
        self.git("add", ".husky")
        self.assertAccepted(self.commit("husky"))
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        before = self.head()
        self.assertRefused(self.commit("bad"), "error[chrono-ban]", "husky - pre-commit script failed")
        self.assertEqual(self.head(), before)
        self.assertAccepted(self.git("push", "origin", "main", check=False))
        self.git("commit", "-q", "--no-verify", "-m", "bad")
        self.assertRefused(self.git("push", "origin", "main", check=False), "error[chrono-ban]", "push refused")
        self.assertEqual(self.remote_ref("refs/heads/main"), before)


class TestInstallRecipe(Sandbox):
    def test_documented_install_command(self):
        cmd = recipe("install").strip().split()
        self.assertEqual(cmd[0], "crabgate")
        r = subprocess.run(cmd, cwd=self.repo, env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in ("pre-commit", "pre-push"):
            self.assertTrue(os.path.isfile(os.path.join(self.repo, ".git", "hooks", name)))


class TestCheckSkip(Sandbox):
    def test_check_honours_crabgate_skip(self):
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        r = self.crabgate("check", env=dict(self.env, CRABGATE_SKIP="1"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr, "crabgate: skipped (CRABGATE_SKIP=1)\n")
        # Only "1" skips, as in the hooks.
        self.assertEqual(self.crabgate("check", env=dict(self.env, CRABGATE_SKIP="0")).returncode, 1)


class TestHookCommand(Sandbox):
    def test_hook_pre_commit_runs_the_script(self):
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        r = self.crabgate("hook", "pre-commit")
        self.assertEqual(r.returncode, 1)
        self.assertIn("error[chrono-ban]", r.stdout)
        # The verdict follows the findings on their stream, whatever shows the streams apart.
        self.assertIn("commit refused", r.stdout)
        self.assertLess(r.stdout.index("error[chrono-ban]"), r.stdout.index("commit refused"))

    def test_hook_finds_its_own_binary(self):
        # Named by path with nothing on PATH: the script runs this binary.
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        env = clean_env(path_prefix=(), HOME=self.home, PATH="/usr/bin:/bin")
        r = self.crabgate("hook", "pre-commit", env=env)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("error[chrono-ban]", r.stdout)

    def test_unknown_hook(self):
        r = self.crabgate("hook", "post-merge")
        self.assertEqual(r.returncode, 2)
        self.assertIn("not one of crabgate's hooks", r.stderr)


class TestInit(Sandbox):
    def test_init_writes_the_defaults_commented(self):
        r = self.crabgate("init", cwd=os.path.join(self.repo, "src"))
        self.assertEqual(r.returncode, 0, r.stderr)
        path = os.path.join(self.repo, ".crabgate.yaml")
        with open(path) as f:
            text = f.read()
        # The first line points editors at the schema (test_schema checks its URL).
        self.assertTrue(text.startswith("# yaml-language-server: $schema="), text[:200])
        self.assertTrue(text.splitlines()[1].startswith("# crabgate configuration for this repository"))
        for line in text.splitlines():
            self.assertTrue(line == "" or line.lstrip().startswith("#"), line)
        # Every setting of config.yaml is there, commented out.
        with open(os.path.join(SOURCE_DIR, "config.yaml")) as f:
            for line in f:
                line = line.rstrip("\n")
                if line.strip() and not line.lstrip().startswith("#"):
                    self.assertIn("# " + line + "\n", text)
        # The file loads as it is, and uncommenting a setting takes effect.
        self.assertEqual(self.crabgate("rules").returncode, 0, self.crabgate("rules").stderr)
        self.write("src/lib.rs", BAD)
        self.git("add", "src/lib.rs")
        self.assertEqual(self.crabgate("check").returncode, 1)
        with open(path, "w") as f:
            f.write(text.replace("# fail_level: error", "fail_level: never"))
        r = self.crabgate("check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("error[chrono-ban]", r.stdout)

    def test_init_keeps_an_existing_file(self):
        self.write(".crabgate.yaml", "fail_level: warning\n")
        r = self.crabgate("init")
        self.assertEqual(r.returncode, 2)
        self.assertIn("exists already", r.stderr)
        self.assertIn("--force", r.stderr)
        with open(os.path.join(self.repo, ".crabgate.yaml")) as f:
            self.assertEqual(f.read(), "fail_level: warning\n")
        self.assertEqual(self.crabgate("init", "--force").returncode, 0)
        with open(os.path.join(self.repo, ".crabgate.yaml")) as f:
            self.assertIn("# fail_level: error", f.read())

    def test_init_outside_a_repository(self):
        r = self.crabgate("init", cwd=self.home)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(self.home, ".crabgate.yaml")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
