"""Shared helpers for integration tests: real repositories, the built binary."""
import json
import os
import subprocess
import tempfile
import unittest

BIN = os.path.abspath(os.environ.get("CRABGATE_BIN") or os.path.join(os.environ.get("CRABGATE_BUILD_DIR", "build"), "crabgate"))
SOURCE_DIR = os.environ.get("CRABGATE_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
BUILD_DIR = os.environ.get("CRABGATE_BUILD_DIR", os.path.join(SOURCE_DIR, "build"))

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
}

# A .crabgate.yaml section that makes every wait between HTTP retries a thousand times shorter,
# with the same decisions (the retry budget counts the unscaled waits).
FAST_RETRIES = "http:\n  retry_wait_scale: 0.001\n"


class Repo:
    """A git repository in a temporary folder, driven with the git CLI."""

    def __init__(self, path=None, bare=False, branch="main"):
        self._tmp = None
        if path is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="crabgate-it-")
            path = self._tmp.name
        self.path = path
        if not os.path.exists(os.path.join(path, ".git")) and not bare:
            self.git("init", "-q", "-b", branch)
        elif bare:
            self.git("init", "-q", "--bare", "-b", branch)

    def cleanup(self):
        if self._tmp:
            self._tmp.cleanup()

    def git(self, *args, check=True, input=None):
        env = dict(os.environ, **GIT_ENV)
        env["HOME"] = self.path  # no user config leaks in
        r = subprocess.run(["git", "-C", self.path, *args], env=env, capture_output=True, text=True, input=input)
        if check and r.returncode:
            raise AssertionError(f"git {' '.join(args)}: {r.stderr}")
        return r.stdout.strip()

    def write(self, rel, text, mode="w"):
        full = os.path.join(self.path, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, mode) as f:
            f.write(text)

    def stage(self, *paths):
        self.git("add", "-A", *paths)

    def commit(self, msg="c"):
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", msg)
        return self.git("rev-parse", "HEAD")


def run(args, cwd, input=None, env=None):
    e = dict(os.environ)
    e.pop("CRABGATE_CONFIG", None)
    e["NO_COLOR"] = "1"
    if env:
        e.update(env)
    return subprocess.run([BIN, *args], cwd=cwd, input=input, capture_output=True, text=True, env=e)


def run_json(args, cwd, **kw):
    r = run([*args, "--format", "json"], cwd, **kw)
    doc = json.loads(r.stdout) if r.stdout.strip().startswith("{") else None
    return r, doc


def keys(doc):
    return sorted((f["rule"], f["path"], f["line"]) for f in doc["findings"])


class RepoTest(unittest.TestCase):
    def setUp(self):
        self.repo = Repo()

    def tearDown(self):
        self.repo.cleanup()
