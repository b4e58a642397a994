"""Memory files end to end: real repositories, real remotes (bare repositories on
disk and git's own http-backend over HTTP on 127.0.0.1 with basic auth), real
concurrent writers. Every assertion is about what reached the remote branch or
the files a user reads."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import BIN, GIT_ENV, SOURCE_DIR, Repo, run  # noqa: E402

SERVER = os.path.join(SOURCE_DIR, "tests", "servers", "git_http_server.py")
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01T00:00:00Z
CHRONO = "use chrono::Utc;\n\npub fn now() -> i64 {\n    // TODO: switch to jiff\n    0\n}\n"


def parse(stdout):
    """The `key: value` lines `crabgate memory update` prints, and the diff after `diff:`."""
    out, lines = {}, stdout.splitlines()
    for i, line in enumerate(lines):
        if line == "diff:":
            out["diff"] = "\n".join(lines[i + 1:])
            break
        k, _, v = line.partition(": ")
        out[k] = v
    return out


class World:
    """A bare remote with a branch `feature`, and clones to work in."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="crabgate-mem-")
        self.root = self.tmp.name
        self.remote = os.path.join(self.root, "srv", "proj.git")
        os.makedirs(self.remote)
        Repo(self.remote, bare=True)
        seed = self.clone("seed", checkout=False)
        seed.write("src/lib.rs", "pub fn a() {}\n")
        seed.write("scratchpad.md", "# Team scratchpad\n\nTeam notes stay here.\n")
        self.base = seed.commit("init")
        seed.git("push", "-q", "origin", "HEAD:refs/heads/main", "HEAD:refs/heads/feature")
        seed.git("checkout", "-q", "-b", "feature")
        seed.write("src/lib.rs", CHRONO)
        self.head = seed.commit("feat: clock\n\nDecision: keep i64 seconds at the API edge")
        seed.git("push", "-q", "origin", "HEAD:refs/heads/feature")

    def clone(self, name, checkout=True):
        path = os.path.join(self.root, name)
        r = subprocess.run(["git", "clone", "-q", self.remote, path], env=dict(os.environ, **GIT_ENV),
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        repo = Repo(path)
        if checkout:
            repo.git("checkout", "-q", "-B", "feature", "origin/feature")
        return repo

    def remote_git(self, *args):
        r = subprocess.run(["git", "-C", self.remote, *args], capture_output=True, text=True,
                           env=dict(os.environ, **GIT_ENV))
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()

    def tip(self, branch="feature"):
        return self.remote_git("rev-parse", f"refs/heads/{branch}")

    def show(self, rev, path):
        return self.remote_git("show", f"{rev}:{path}")

    def cleanup(self):
        self.tmp.cleanup()


# Inherited from a git hook running the suite, these would point crabgate at the caller's repository.
for var in ("GIT_INDEX_FILE", "GIT_DIR", "GIT_WORK_TREE", "GIT_OBJECT_DIRECTORY"):
    os.environ.pop(var, None)


def memory(repo, *args, env=None, config=None):
    e = dict(EPOCH)
    if env:
        e.update(env)
    pre = ["--config", config] if config else []
    return run([*pre, "memory", "update", *args], repo.path, env=e)


class MemoryTest(unittest.TestCase):
    def setUp(self):
        self.w = World()
        self.work = self.w.clone("work")

    def tearDown(self):
        self.w.cleanup()

    def push_args(self, pr, remote=None, head=None, branch="feature"):
        return ["--base", self.w.base, "--head", head or self.w.head, "--pr", str(pr), "--title", f"PR {pr}",
                "--push", "--branch", branch, "--remote", remote or self.w.remote]


class TestCommitBackLocal(MemoryTest):
    def test_commit_lands_with_parent_author_and_tree(self):
        r = memory(self.work, *self.push_args(5), "--summary", "Adds a clock.", "--lesson", "Use jiff for time.")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = parse(r.stdout)
        self.assertEqual(out["outcome"], "pushed")
        self.assertEqual(out["attempts"], "1")
        tip = self.w.tip()
        self.assertEqual(out["commit"], tip)
        self.assertEqual(self.w.remote_git("rev-parse", f"{tip}^"), self.w.head)  # parent = PR head
        self.assertEqual(self.w.remote_git("rev-list", "--count", "--parents", "-1", tip), "1")
        self.assertEqual(self.w.remote_git("log", "-1", "--format=%an <%ae>|%cn", tip),
                         "crabgate[bot] <crabgate[bot]@users.noreply.github.com>|crabgate[bot]")
        self.assertEqual(self.w.remote_git("log", "-1", "--format=%B", tip),
                         "docs(memory): update memory files for #5\n\nCrabgate-Memory: #5")
        # Only the three files changed; the team's scratchpad text is kept above the block.
        self.assertEqual(self.w.remote_git("diff", "--name-only", self.w.head, tip).split(),
                         ["lessons-learned.md", "memories.md", "scratchpad.md"])
        mem = self.w.show(tip, "memories.md")
        self.assertIn("<!-- crabgate:entry key=#5 date=2026-01-01T00:00:00Z -->\n## #5: PR 5\n", mem)
        self.assertIn("- rules: chrono-ban (1)\n", mem)
        self.assertIn("- summary: Adds a clock.\n", mem)
        self.assertIn("- decision: keep i64 seconds at the API edge\n", mem)
        pad = self.w.show(tip, "scratchpad.md")
        self.assertTrue(pad.startswith("# Team scratchpad\n\nTeam notes stay here.\n\n<!-- crabgate:begin -->"))
        self.assertIn("- [ ] src/lib.rs:1 chrono-ban \u2014 chrono is banned", pad)
        self.assertIn("- [ ] src/lib.rs:4 \u2014 TODO: switch to jiff", pad)
        lessons = self.w.show(tip, "lessons-learned.md")
        self.assertIn("<!-- crabgate:rule chrono-ban -->", lessons)
        self.assertIn("- Use jiff for time.", lessons)
        # No helper ref was left behind in the clone.
        self.assertEqual(self.work.git("for-each-ref", "refs/crabgate"), "")

    def test_file_url_and_gitlab_key(self):
        r = memory(self.work, *self.push_args(9, remote="file://" + self.w.remote), "--forge", "gitlab")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(parse(r.stdout)["outcome"], "pushed")
        self.assertIn("## !9: PR 9", self.w.show(self.w.tip(), "memories.md"))

    def test_own_commit_is_skipped(self):
        memory(self.work, *self.push_args(5))
        tip = self.w.tip()
        self.work.git("fetch", "-q", "origin")
        r = memory(self.work, *self.push_args(5, head=tip))
        self.assertEqual(r.returncode, 0, r.stderr)
        out = parse(r.stdout)
        self.assertEqual(out["outcome"], "skipped")
        self.assertIn("crabgate's own memory commit", out["reason"])
        self.assertEqual(self.w.tip(), tip)

    def test_rerun_changes_nothing(self):
        memory(self.work, *self.push_args(5))
        tip = self.w.tip()
        # Same PR head again (a re-run of the job): the tip already says it all.
        r = memory(self.work, *self.push_args(5), env={"SOURCE_DATE_EPOCH": "1767312000"})
        self.assertEqual(r.returncode, 0, r.stderr)
        out = parse(r.stdout)
        self.assertEqual(out["outcome"], "skipped", r.stdout)
        self.assertIn("already has these memory updates", out["reason"])
        self.assertEqual(self.w.tip(), tip)

    def test_teammate_push_first_is_kept(self):
        mate = self.w.clone("mate")
        mate.write("scratchpad.md", "# Team scratchpad\n\nTeam notes stay here.\nAnd a teammate's line.\n")
        mate.write("memories.md", "# Memories\n\nWe picked tokio.\n")
        mate_commit = mate.commit("docs: notes")
        mate.git("push", "-q", "origin", "HEAD:feature")

        r = memory(self.work, *self.push_args(5))
        self.assertEqual(r.returncode, 0, r.stderr)
        out = parse(r.stdout)
        self.assertEqual(out["outcome"], "pushed")
        self.assertEqual(out["attempts"], "2")
        tip = self.w.tip()
        self.assertEqual(self.w.remote_git("rev-parse", f"{tip}^"), mate_commit)
        pad, mem = self.w.show(tip, "scratchpad.md"), self.w.show(tip, "memories.md")
        self.assertIn("And a teammate's line.\n", pad)
        self.assertIn("chrono-ban", pad)
        self.assertTrue(mem.startswith("# Memories\n\nWe picked tokio.\n\n<!-- crabgate:entry key=#5"))

    def test_fork_prints_diff_and_pushes_nothing(self):
        r = memory(self.work, "--base", self.w.base, "--head", self.w.head, "--pr", "3", "--fork")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = parse(r.stdout)
        self.assertEqual(out["outcome"], "skipped")
        self.assertIn("fork", out["reason"])
        self.assertIn("+++ b/memories.md", out["diff"])
        self.assertIn("+## #3: feat: clock", out["diff"])
        self.assertEqual(self.w.tip(), self.w.head)

    def test_damaged_file_refused_and_left_alone(self):
        mate = self.w.clone("mate")
        mate.write("scratchpad.md", "# Pad\n<!-- crabgate:begin -->\n- [ ] half a block\n")
        bad = mate.commit("oops")
        mate.git("push", "-q", "origin", "HEAD:feature")
        self.work.git("fetch", "-q", "origin")
        r = memory(self.work, *self.push_args(5, head=bad))
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("scratchpad.md:2: the crabgate block has `<!-- crabgate:begin -->` but no", r.stderr)
        self.assertIn("restore the end marker", r.stderr)
        self.assertEqual(self.w.tip(), bad)

    def test_conflict_markers_refused(self):
        mate = self.w.clone("mate")
        mate.write("memories.md", "# M\n<<<<<<< HEAD\na\n=======\nb\n>>>>>>> other\n")
        bad = mate.commit("conflict committed")
        mate.git("push", "-q", "origin", "HEAD:feature")
        self.work.git("fetch", "-q", "origin")
        r = memory(self.work, *self.push_args(5, head=bad))
        self.assertEqual(r.returncode, 2)
        self.assertIn("memories.md:2: has merge-conflict markers; resolve the conflict", r.stderr)
        self.assertEqual(self.w.tip(), bad)


class GitHttp:
    """git http-backend behind basic auth on 127.0.0.1."""

    def __init__(self, root, tokens, redirect_to=None, log="http.log"):
        self.log = os.path.join(root, log)
        args = [sys.executable, SERVER, "--root", root, "--log", self.log]
        for t in tokens:
            args += ["--token", t]
        if redirect_to:
            args += ["--redirect-to", redirect_to]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("PORT "), line
        self.port = int(line.split()[1])

    def url(self, name):
        return f"http://127.0.0.1:{self.port}/{name}"

    def requests(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            return [json.loads(x) for x in f]

    def pushes(self):
        return [r for r in self.requests() if r["method"] == "POST" and r["service"] == "git-receive-pack"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


def hook(bare, name, script):
    path = os.path.join(bare, "hooks", name)
    with open(path, "w") as f:
        f.write(script)
    os.chmod(path, 0o755)


class TestCommitBackHttp(MemoryTest):
    def setUp(self):
        super().setUp()
        self.http = GitHttp(os.path.dirname(self.w.remote), ["s3cret-rw:rw", "s3cret-ro:ro"])
        self.url = self.http.url("proj.git")

    def tearDown(self):
        self.http.stop()
        super().tearDown()

    def test_token_through_credentials_github_and_gitlab(self):
        r = memory(self.work, *self.push_args(5, remote=self.url), env={"GITHUB_TOKEN": "s3cret-rw"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(parse(r.stdout)["outcome"], "pushed")
        self.assertNotIn("s3cret", r.stdout + r.stderr)
        pushes = self.http.pushes()
        self.assertEqual([p["status"] for p in pushes], [200])
        self.assertEqual(pushes[0]["user"], "x-access-token")
        self.assertIn("## #5: PR 5", self.w.show(self.w.tip(), "memories.md"))

        work2 = self.w.clone("work2")
        r = memory(work2, *self.push_args(6, remote=self.url), "--forge", "gitlab",
                   env={"GITLAB_TOKEN": "s3cret-rw"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.http.pushes()[-1]["user"], "oauth2")
        mem = self.w.show(self.w.tip(), "memories.md")
        self.assertIn("## #5: PR 5", mem)
        self.assertIn("## !6: PR 6", mem)

    def test_wrong_token_gives_up(self):
        r = memory(self.work, *self.push_args(5, remote=self.url), env={"GITHUB_TOKEN": "wrong"})
        self.assertEqual(r.returncode, 3, r.stdout)
        self.assertIn("refused the token", r.stderr)
        self.assertIn("contents: write", r.stderr)
        self.assertNotIn("wrong", r.stderr.replace("wrong token", ""))
        self.assertLessEqual(len(self.http.requests()), 4)  # the attempt cap, not a loop
        self.assertEqual(self.w.tip(), self.w.head)

    def test_read_only_token_403_is_permanent(self):
        r = memory(self.work, *self.push_args(5, remote=self.url), env={"GITHUB_TOKEN": "s3cret-ro"})
        self.assertEqual(r.returncode, 3, r.stdout)
        self.assertEqual(parse(r.stdout)["outcome"], "rejected")
        self.assertIn("403", r.stderr)
        self.assertIn("not retrying", r.stderr)
        self.assertEqual(len([q for q in self.http.requests() if q["service"] == "git-receive-pack"
                              and q["status"] == 403]), 1)
        self.assertEqual(self.w.tip(), self.w.head)

    def test_protected_branch_rejected_without_retry(self):
        hook(self.w.remote, "pre-receive",
             "#!/bin/sh\necho 'GH006: Protected branch update failed for refs/heads/feature.' >&2\nexit 1\n")
        r = memory(self.work, *self.push_args(5, remote=self.url), env={"GITHUB_TOKEN": "s3cret-rw"})
        self.assertEqual(r.returncode, 3, r.stdout)
        out = parse(r.stdout)
        self.assertEqual(out["outcome"], "rejected")
        self.assertEqual(out["attempts"], "1")
        self.assertIn("GH006", out["reason"])
        self.assertIn("GH006", r.stderr)
        self.assertEqual(len(self.http.pushes()), 1)
        self.assertEqual(self.w.tip(), self.w.head)

    def test_push_between_fetch_and_push_is_retried(self):
        # Another writer lands while our push is in the server's hands (between its
        # ref advertisement and its ref update): the server refuses the stale update,
        # crabgate fetches the new tip, renders over it, and pushes again.
        mate = self.w.clone("mate")
        mate.write("scratchpad.md", "# Team scratchpad\n\nTeam notes stay here.\nWritten meanwhile.\n")
        mate_commit = mate.commit("docs: meanwhile")
        marker = os.path.join(self.w.root, "raced")
        hook(self.w.remote, "pre-receive",
             f"#!/bin/sh\ncat >/dev/null\nif [ ! -e '{marker}' ]; then\n  touch '{marker}'\n"
             f"  env -i PATH=\"$PATH\" HOME='{mate.path}' GIT_CONFIG_NOSYSTEM=1 "
             f"git -C '{mate.path}' push -q origin HEAD:feature >&2 || exit 1\nfi\nexit 0\n")
        r = memory(self.work, *self.push_args(5, remote=self.url), env={"GITHUB_TOKEN": "s3cret-rw"})
        self.assertEqual(r.returncode, 0, r.stderr)
        out = parse(r.stdout)
        self.assertEqual(out["outcome"], "pushed")
        self.assertEqual(out["attempts"], "2")
        self.assertEqual(len(self.http.pushes()), 2)
        tip = self.w.tip()
        self.assertEqual(self.w.remote_git("rev-parse", f"{tip}^"), mate_commit)
        pad = self.w.show(tip, "scratchpad.md")
        self.assertIn("Written meanwhile.\n", pad)
        self.assertIn("chrono-ban", pad)


class TestCommitBackRedirect(MemoryTest):
    """A remote that answers with a redirect to another port: the token stays with the remote."""

    def setUp(self):
        super().setUp()
        root = os.path.dirname(self.w.remote)
        # The real repository, where a push with the token would succeed.
        self.target = GitHttp(root, ["s3cret-rw:rw"], log="target.log")

    def tearDown(self):
        self.target.stop()
        super().tearDown()

    def check_refused(self, redirector, target):
        r = memory(self.work, *self.push_args(5, remote=redirector.url("proj.git")),
                   env={"GITHUB_TOKEN": "s3cret-rw"})
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn(f"redirected to {target}", r.stderr)
        self.assertIn("sends the token only to the remote's own scheme, host and port", r.stderr)
        self.assertNotIn("s3cret", r.stdout + r.stderr)
        self.assertEqual(self.target.requests(), [])  # nothing reached the other port at all
        self.assertEqual(self.w.tip(), self.w.head)
        return redirector.requests()

    def test_redirect_to_another_port_of_the_same_host(self):
        # libgit2 follows this one whatever follow_redirects says.
        redirector = GitHttp(os.path.dirname(self.w.remote), [],
                             redirect_to=f"http://127.0.0.1:{self.target.port}", log="redirector.log")
        try:
            seen = self.check_refused(redirector, f"127.0.0.1:{self.target.port}")
        finally:
            redirector.stop()
        self.assertEqual([(q["status"], q["auth"]) for q in seen], [(301, False)])

    def test_redirect_after_the_token_was_accepted(self):
        # The remote takes the token, then redirects with a challenge: libgit2 would send the
        # credentials it holds to the new server without asking.
        redirector = GitHttp(os.path.dirname(self.w.remote), ["s3cret-rw:rw"],
                             redirect_to=f"http://localhost:{self.target.port}", log="redirector.log")
        try:
            seen = self.check_refused(redirector, "localhost")  # libgit2 refuses another host name
        finally:
            redirector.stop()
        self.assertEqual([q["status"] for q in seen], [401, 301])
        self.assertEqual(seen[-1]["user"], "x-access-token")  # the remote itself may have it


def race(world, remote, env=None, config=None):
    """4 runners, 4 PRs, one branch, all at once; returns the processes' results."""
    clones = [world.clone(f"racer{i}") for i in range(1, 5)]
    e = dict(os.environ, NO_COLOR="1", **EPOCH)
    e.pop("CRABGATE_CONFIG", None)
    if env:
        e.update(env)
    procs = []
    for i, c in enumerate(clones, 1):
        args = [BIN, "--config", config, "memory", "update", "--base", world.base, "--head", world.head,
                "--pr", str(i), "--title", f"PR {i}", "--push", "--branch", "feature", "--remote", remote]
        procs.append(subprocess.Popen(args, cwd=c.path, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True))
    return [(p.wait(timeout=600), *p.communicate()) for p in procs]


class TestRace(unittest.TestCase):
    def setUp(self):
        self.w = World()
        self.config = os.path.join(self.w.root, "crabgate.yaml")
        # Each push can lose only to another runner's success: 4 runners need at most 4 attempts.
        with open(self.config, "w") as f:
            f.write("memory:\n  push_attempts: 6\n")

    def tearDown(self):
        self.w.cleanup()

    def check(self, results):
        for status, out, err in results:
            self.assertEqual(status, 0, err)
            self.assertEqual(parse(out)["outcome"], "pushed", out)
        tip = self.w.tip()
        mem = self.w.show(tip, "memories.md")
        for i in range(1, 5):
            self.assertEqual(mem.count(f"<!-- crabgate:entry key=#{i} "), 1, mem)
        # No commit lost: one linear chain of four memory commits on the PR head.
        log = self.w.remote_git("log", "--format=%P %(trailers:key=Crabgate-Memory,valueonly)", f"{self.w.head}..{tip}")
        commits = [line for line in log.splitlines() if line.strip()]
        self.assertEqual(len(commits), 4, log)
        self.assertEqual(sorted(c.split()[1] for c in commits), ["#1", "#2", "#3", "#4"])
        self.assertTrue(all(len(c.split()) == 2 for c in commits))  # one parent each
        pad = self.w.show(tip, "scratchpad.md")
        for i in range(1, 5):
            self.assertIn(f"### #{i}\n", pad)

    def test_four_runners_on_disk(self):
        self.check(race(self.w, self.w.remote, config=self.config))

    def test_four_runners_over_http(self):
        http = GitHttp(os.path.dirname(self.w.remote), ["tok:rw"])
        try:
            self.check(race(self.w, http.url("proj.git"), env={"GITHUB_TOKEN": "tok"}, config=self.config))
        finally:
            http.stop()


class TestCheckUpdateMemory(unittest.TestCase):
    def setUp(self):
        self.repo = Repo()
        self.repo.write("src/lib.rs", "pub fn a() {}\n")
        self.repo.commit("init")

    def tearDown(self):
        self.repo.cleanup()

    def test_commit_mode_commits_on_the_branch(self):
        self.repo.write("src/lib.rs", CHRONO)
        head = self.repo.commit("feat: clock")
        r = run(["check", "--base", "HEAD~1", "--update-memory"], self.repo.path, env=EPOCH)
        self.assertEqual(r.returncode, 1, r.stderr)  # the finding still fails the check
        self.assertIn("memory: committed", r.stderr)
        self.assertEqual(self.repo.git("rev-parse", "HEAD~1"), head)
        self.assertEqual(self.repo.git("log", "-1", "--format=%an"), "crabgate[bot]")
        self.assertEqual(self.repo.git("status", "--porcelain"), "")  # index and work tree came along
        self.assertIn(f"## {head[:12]}: feat: clock", self.repo.git("show", "HEAD:memories.md"))
        # Run again: the change's head is crabgate's own commit now.
        r = run(["check", "--base", "HEAD~2", "--update-memory"], self.repo.path, env=EPOCH)
        self.assertIn("memory: skipped: the change's head commit is crabgate's own memory commit", r.stderr)
        self.assertEqual(self.repo.git("rev-parse", "HEAD~1"), head)

    def test_stage_mode_in_a_real_pre_commit_hook(self):
        self.repo.write(".crabgate.yaml", "memory:\n  mode: stage\n")
        # HEAD being a memory commit does not matter: a new commit is being made on it.
        self.repo.commit("config\n\nCrabgate-Memory: abc123")
        hook(os.path.join(self.repo.path, ".git"), "pre-commit",
             f"#!/bin/sh\nexec '{BIN}' check --staged --update-memory --fail-level never\n")
        env = dict(os.environ, **GIT_ENV, **EPOCH, NO_COLOR="1")
        env.pop("CRABGATE_CONFIG", None)

        def commit(*args):
            r = subprocess.run(["git", "-C", self.repo.path, "commit", "-q", *args], env=env, capture_output=True,
                               text=True)
            self.assertEqual(r.returncode, 0, r.stderr)

        self.repo.write("src/lib.rs", CHRONO)
        self.repo.git("add", "src/lib.rs")
        commit("-m", "feat: clock")
        files = self.repo.git("show", "--name-only", "--format=", "HEAD").split()
        self.assertEqual(sorted(files), ["lessons-learned.md", "memories.md", "scratchpad.md", "src/lib.rs"])
        self.assertIn("src/lib.rs:4 \u2014 TODO: switch to jiff", self.repo.git("show", "HEAD:scratchpad.md"))
        self.assertEqual(self.repo.git("status", "--porcelain"), "")

        # `git commit -a` makes the commit from a temporary index (GIT_INDEX_FILE): staged there too.
        self.repo.write("src/lib.rs", CHRONO + "// FIXME: second\n")
        commit("-a", "-m", "fix: more")
        self.assertIn("scratchpad.md", self.repo.git("show", "--name-only", "--format=", "HEAD").split())
        self.assertIn("FIXME: second", self.repo.git("show", "HEAD:scratchpad.md"))
        self.assertEqual(self.repo.git("status", "--porcelain"), "")


if __name__ == "__main__":
    unittest.main()
