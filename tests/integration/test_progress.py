"""`check --all` draws its progress on a terminal's standard error, in place, and clears it; elsewhere it is silent."""
import os
import pty
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import BIN, RepoTest, run  # noqa: E402

LINE = re.compile(rb"crabgate: (\d+)/(\d+) files, \d+ files/s")


def run_on_terminal(args, cwd):
    """Runs crabgate with standard error on a pseudo-terminal; returns (status, stdout, what the terminal got)."""
    master, slave = pty.openpty()
    env = dict(os.environ, NO_COLOR="1")
    env.pop("CRABGATE_CONFIG", None)
    p = subprocess.Popen([BIN, *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
                         env=env)
    os.close(slave)
    got = b""
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the child closed the terminal: Linux says EIO
            break
        if not data:
            break
        got += data
    os.close(master)
    out = p.stdout.read()
    p.stdout.close()
    return p.wait(), out, got


class ProgressTest(RepoTest):
    def setUp(self):
        super().setUp()
        self.repo.write("Cargo.toml", '[package]\nname = "p"\nversion = "0.1.0"\nedition = "2021"\n')
        for i in range(40):
            self.repo.write(f"src/m{i}.rs", f"pub fn f{i}() -> u32 {{ {i} }}\n")
        self.repo.commit("files")

    def test_drawn_in_place_and_cleared(self):
        status, out, got = run_on_terminal(["check", "--all"], self.repo.path)
        self.assertEqual(status, 0, got)
        frames = LINE.findall(got)
        self.assertTrue(frames, got)
        total = int(frames[0][1])
        self.assertGreaterEqual(total, 41)
        self.assertTrue(all(int(t) == total and int(d) <= total for d, t in frames), got)
        # In place: every frame starts the line over, and no newline is left behind.
        self.assertNotIn(b"\n", got)
        self.assertTrue(got.startswith(b"\r"), got)
        # Cleared: the line ends blank, the cursor at its start, so what follows writes over it.
        last = got.rsplit(b"\r", 2)
        self.assertEqual(last[2], b"", got)
        self.assertEqual(last[1].strip(b" "), b"", got)
        self.assertGreaterEqual(len(last[1]), len(LINE.search(got).group(0)))
        # The report is untouched by it.
        self.assertNotIn(b"files/s", out)

    def test_quiet_and_not_a_terminal_are_silent(self):
        status, _, got = run_on_terminal(["-q", "check", "--all"], self.repo.path)
        self.assertEqual((status, got), (0, b""))
        r = run(["check", "--all"], self.repo.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("files/s", r.stderr)
        self.assertNotIn("\r", r.stderr)

    def test_only_for_all(self):
        self.repo.write("src/new.rs", "pub fn g() {}\n")
        self.repo.stage()
        status, _, got = run_on_terminal(["check", "--staged"], self.repo.path)
        self.assertEqual(status, 0, got)
        self.assertNotIn(b"files/s", got)


if __name__ == "__main__":
    unittest.main()
