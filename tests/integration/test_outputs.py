"""Where reports go: files, symlinks, FIFOs, devices and standard output; the terminal report beside
--output FORMAT=FILE (and in the GitLab job's log); outputs checked before any work; errors that wrap
another error.

Every target is made in the test's temporary folder: the character device is a null device node made
with mknod there (root only, skipped otherwise), never the system's own /dev/null.
"""
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import BIN, GIT_ENV, SOURCE_DIR, Repo, run  # noqa: E402
from test_review import API_KEY, ModelServer  # noqa: E402

try:
    import yaml
except ImportError:  # Debian's python3-yaml, when this Python is not Debian's
    sys.path.append("/usr/lib/python3/dist-packages")
    import yaml

CARGO = '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nchrono = "0.4"\n'
TEXT_FINDING = "error[chrono-ban]"


def staged_chrono(repo):
    repo.write("README.md", "# demo\n")
    repo.commit("first")
    repo.write("Cargo.toml", CARGO)
    repo.stage()


class OutputTest(unittest.TestCase):
    def setUp(self):
        self.repo = Repo()
        staged_chrono(self.repo)
        self._tmp = tempfile.TemporaryDirectory(prefix="crabgate-out-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()
        self.repo.cleanup()

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def check(self, *args, **kw):
        return run(["check", "--staged", *args], self.repo.path, **kw)


class TestOutputTargets(OutputTest):
    def test_regular_file_is_replaced_and_a_new_one_created(self):
        target = self.path("reports", "new", "report.json")
        r = self.check("--output", f"json={target}")
        self.assertEqual(r.returncode, 1, r.stderr)
        with open(target) as f:
            self.assertIn("chrono-ban", json.dumps(json.load(f)))
        with open(target, "w") as f:
            f.write("stale\n")
        r = self.check("--output", f"json={target}")
        with open(target) as f:
            self.assertEqual(json.load(f)["version"], 1)

    def test_symlink_is_written_through_not_replaced(self):
        real = self.path("real.sarif")
        with open(real, "w") as f:
            f.write("old\n")
        link = self.path("link.sarif")
        os.symlink("real.sarif", link)
        r = self.check("--output", f"sarif={link}")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertTrue(os.path.islink(link))
        with open(real) as f:
            self.assertEqual(json.load(f)["version"], "2.1.0")

    def test_fifo_is_written_into(self):
        fifo = self.path("fifo")
        os.mkfifo(fifo)
        # The reader is there first, so crabgate's open does not wait; the report fits the pipe.
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        try:
            r = self.check("--output", f"json={fifo}")
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))
            try:
                got = os.read(fd, 1 << 16)
            except BlockingIOError:
                got = b""
        finally:
            os.close(fd)
        self.assertEqual(json.loads(got)["version"], 1)

    def test_char_device_stays_a_device(self):
        node = self.path("null")
        try:
            os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            self.skipTest("making a device node needs root")
        link = self.path("stdout-link")
        os.symlink(node, link)
        for args in (["--output", f"json={node}"], ["--output", f"sarif={link}"], ["--summary", node]):
            r = self.check(*args)
            self.assertEqual(r.returncode, 1, r.stderr)
            st = os.lstat(node)
            self.assertTrue(stat.S_ISCHR(st.st_mode), args)
            self.assertEqual((os.major(st.st_rdev), os.minor(st.st_rdev)), (1, 3))
        self.assertTrue(os.path.islink(link))
        r = run(["baseline", node, "--all"], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(stat.S_ISCHR(os.lstat(node).st_mode))

    def test_standard_output_through_a_pipe_and_into_a_file(self):
        # /dev/stdout itself is reached through a link in the test's folder: a binary that still
        # replaced what it writes would replace that link, not the system's /dev/stdout. /dev/fd/1
        # cannot be replaced at all (no file can be made in /proc).
        link = self.path("out-link")
        os.symlink("/dev/stdout", link)
        for target in (link, "/dev/fd/1"):
            r = self.check("--output", f"json={target}")
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertTrue(r.stdout.startswith("{"), r.stdout[:200])
            self.assertIn(TEXT_FINDING, r.stdout)
            self.assertTrue(os.path.islink(link))
            # Standard output redirected to a file: it gets both, neither overwrites the other.
            out = self.path("stdout.txt")
            with open(out, "w") as f:
                f.write("before\n")
            with open(out, "a") as f:
                p = subprocess.run([BIN, "check", "--staged", "--output", f"json={target}"], cwd=self.repo.path,
                                   stdout=f, stderr=subprocess.PIPE, text=True, env=dict(os.environ, NO_COLOR="1"))
            self.assertEqual(p.returncode, 1, p.stderr)
            with open(out) as f:
                text = f.read()
            self.assertTrue(text.startswith("before\n{"), text[:200])
            self.assertIn(TEXT_FINDING, text)


class TestTerminalReport(OutputTest):
    def test_output_format_file_keeps_the_terminal_report(self):
        target = self.path("gl.json")
        r = self.check("--output", f"gitlab={target}")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(TEXT_FINDING, r.stdout)
        with open(target) as f:
            self.assertIn("chrono-ban", json.dumps(json.load(f)))

    def test_eight_files_and_the_terminal_report(self):
        files = [self.path(f"r{i}.json") for i in range(8)]
        r = self.check(*[a for f in files for a in ("--output", f"json={f}")])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(TEXT_FINDING, r.stdout)
        self.assertTrue(all(os.path.getsize(f) for f in files))
        r = self.check(*[a for f in files for a in ("--output", f"json={f}")], "--output", "sarif=" + self.path("9"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("too many --output options (at most 8)", r.stderr)

    def test_quiet_or_another_report_on_stdout_replaces_it(self):
        target = self.path("gl.json")
        r = run(["-q", "check", "--staged", "--output", f"gitlab={target}"], self.repo.path)
        self.assertEqual((r.returncode, r.stdout), (1, ""), r.stderr)
        self.assertTrue(os.path.getsize(target))
        r = self.check("--format", "json", "--output", f"gitlab={target}")
        self.assertEqual(json.loads(r.stdout)["version"], 1)
        r = self.check("--output", "json=-", "--output", f"gitlab={target}")
        self.assertEqual(json.loads(r.stdout)["version"], 1)
        # --output FILE sends the --format report there instead of standard output.
        r = self.check("--output", self.path("report.txt"))
        self.assertEqual(r.stdout, "")
        with open(self.path("report.txt")) as f:
            self.assertIn(TEXT_FINDING, f.read())


class TestGitlabJobLog(OutputTest):
    """The job template's script, run as a GitLab runner would, with the binary under test on PATH."""

    def test_log_shows_the_findings(self):
        with open(os.path.join(SOURCE_DIR, "ci", "gitlab-ci.yml")) as f:
            job = yaml.safe_load(f)[".crabgate"]
        base = self.repo.git("rev-parse", "HEAD")
        head = self.repo.commit("add chrono")
        bindir = self.path("bin")
        os.makedirs(bindir)
        os.symlink(BIN, os.path.join(bindir, "crabgate"))  # before_script's build, done already
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CRABGATE_", "GITLAB", "CI_"))}
        env.update(GIT_ENV)
        env.update({"PATH": bindir + os.pathsep + env.get("PATH", ""), "HOME": self.tmp, "NO_COLOR": "1",
                    "CI": "true", "GITLAB_CI": "true", "CI_PROJECT_DIR": self.repo.path,
                    "CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "3",
                    "CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "CI_COMMIT_SHA": head,
                    "CI_API_V4_URL": "http://127.0.0.1:9/api/v4", "CI_PROJECT_ID": "42"})
        for k, v in job["variables"].items():
            env[k] = re.sub(r"\$(\w+)", lambda m: env.get(m.group(1), ""), str(v))
        r = subprocess.run(["sh", "-c", "\n".join(job["script"])], cwd=self.repo.path, env=env,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(TEXT_FINDING, r.stdout)
        self.assertIn("Cargo.toml:7", r.stdout)
        report = job["artifacts"]["reports"]["codequality"]
        with open(os.path.join(self.repo.path, report)) as f:
            self.assertIn("chrono-ban", json.dumps(json.load(f)))


class TestOptionsCheckedFirst(OutputTest):
    """A bad output is a usage error before the rules run and before a (paid) model is asked."""

    @classmethod
    def setUpClass(cls):
        cls.server = ModelServer()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        super().setUp()
        self.repo.write(".git/info/exclude", ".crabgate.yaml\n")
        self.repo.write(".crabgate.yaml", "review:\n  provider: openai\n  api_key_env: CG_TEST_KEY\n"
                                          f"  base_url: {self.server.base}/v1\n  max_retries: 0\n")
        self.repo.commit("add chrono")
        self.server.reset()
        self.server.scenario(default={"mode": "normal"})
        self.env = {"CG_TEST_KEY": API_KEY, "OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": ""}
        # Both would ask the model: check because of --review, ci because a provider is configured.
        self.commands = (["check", "--base", "HEAD~1", "--review", "--no-cache"],
                         ["ci", "--no-post", "--base", "HEAD~1", "--no-cache"])

    def test_the_model_is_asked_when_the_options_are_good(self):
        for cmd in self.commands:
            self.server.reset()
            r = run([*cmd, "--format", "json"], self.repo.path, env=self.env)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertTrue(self.server.requests(), cmd)

    def test_bad_outputs_fail_before_the_review(self):
        cases = [
            (["--format", "yaml"], "--format yaml: unknown format 'yaml'; expected one of text, json, sarif"),
            (["--output", "sarf=" + self.path("x")], "unknown format 'sarf'"),
            (["--output", "json="], "no file after '='"),
            (["--output", "json=" + self.tmp], "is a folder"),
            (["--output", "json=" + self.path("a"), "--output", "sarif=" + self.path("a")], "both write to"),
            (["--format", "json", "--output", "sarif=-"], "both write to standard output"),
        ]
        for args, message in cases:
            for cmd in self.commands:
                with self.subTest(args=args, cmd=cmd[0]):
                    r = run([*cmd, *args], self.repo.path, env=self.env)
                    self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                    self.assertIn(message, r.stderr)
                    self.assertEqual(r.stdout, "")
                    self.assertEqual(self.server.requests(), [])
        self.assertFalse(os.path.exists(self.path("a")))


class TestErrorWrapping(OutputTest):
    def test_missing_baseline_names_the_file_once_and_why(self):
        missing = self.path("nonexistent", "bl")
        r = self.check("--baseline", missing)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(f"{missing}: cannot read: No such file or directory", r.stderr)
        self.assertNotIn(f"baseline {missing}: baseline", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
