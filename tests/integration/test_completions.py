"""`crabgate completions bash|zsh|fish` and `crabgate help --man`, loaded by the real programs.

bash runs the completion function on a COMP_WORDS line, as `complete -F` would; fish answers
`complete -C`; zsh runs interactively in a pseudo-terminal and completes a typed line with TAB, the
only way zsh's completion system runs. The man page is rendered by groff with warnings on. All three
shells and groff come from Debian (`ci/setup.sh --tests` installs them). The scripts are made from the table
the help is printed from, so every option a parser accepts must complete.
"""
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import BIN, BUILD_DIR  # noqa: E402


def crabgate(*args):
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    if r.returncode:
        raise AssertionError(f"crabgate {' '.join(args)}: {r.stderr}")
    return r.stdout


def need(tool):
    if not shutil.which(tool):
        raise AssertionError(f"{tool} is not installed; ci/setup.sh --tests installs it")


class Completions(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="crabgate-comp-")
        self.dir = self.tmp.name
        for shell, name in (("bash", "crabgate.bash"), ("zsh", "_crabgate"), ("fish", "crabgate.fish")):
            with open(os.path.join(self.dir, name), "w") as f:
                f.write(crabgate("completions", shell))
        self.env = {"HOME": self.dir, "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "XDG_CONFIG_HOME": self.dir, "XDG_DATA_HOME": self.dir, "XDG_CACHE_HOME": self.dir}

    def tearDown(self):
        self.tmp.cleanup()

    def bash(self, *words):
        need("bash")
        line = " ".join("'" + w + "'" for w in words)
        script = (f"source {self.dir}/crabgate.bash; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; "
                  '_crabgate; printf "%s\\n" "${COMPREPLY[@]}"')
        r = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True, text=True,
                           env=self.env, cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        return [w for w in r.stdout.splitlines() if w]

    def fish(self, line):
        need("fish")
        r = subprocess.run(["fish", "--no-config", "-c", f"source {self.dir}/crabgate.fish; complete -C '{line}'"],
                           capture_output=True, text=True, env=self.env, cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        return [l.split("\t")[0] for l in r.stdout.splitlines()]

    def zsh(self, typed):
        """What zsh's line editor shows after `typed` (ending in a TAB) in an interactive zsh -f."""
        need("zsh")
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(self.dir)
            os.execvpe("zsh", ["zsh", "-f", "-i"], dict(self.env, ZDOTDIR=self.dir, TERM="dumb"))

        def read_until(pattern, timeout=20.0):
            out, end = b"", time.time() + timeout
            while time.time() < end:
                r, _, _ = select.select([fd], [], [], 0.1)
                if r:
                    try:
                        out += os.read(fd, 65536)
                    except OSError:
                        break
                    if pattern and re.search(pattern, out):
                        break
            return out

        try:
            os.write(fd, f"fpath=({self.dir} $fpath); autoload -Uz compinit; compinit -u -D; echo READY\n".encode())
            read_until(rb"\nREADY")
            os.write(fd, typed.encode())
            return read_until(rb"--format ", timeout=10.0).decode(errors="replace")
        finally:
            os.write(fd, b"\x03exit\n")
            read_until(None, timeout=0.5)
            os.close(fd)
            os.waitpid(pid, 0)

    def test_bash(self):
        self.assertEqual(self.bash("crabgate", "check", "--fo"), ["--format"])
        self.assertIn("rustc-json", self.bash("crabgate", "check", "--format", ""))
        self.assertIn("chrono-ban", self.bash("crabgate", "explain", "ch"))
        # Global options and their arguments come before the command.
        self.assertEqual(self.bash("crabgate", "-C", "/", "--config", "x.yaml", "ci", "--dry"), ["--dry-run"])
        self.assertEqual(self.bash("crabgate", "compl"), ["completions"])

    def test_fish(self):
        self.assertEqual(self.fish("crabgate check --fo"), ["--format"])
        self.assertIn("rustc-json", self.fish("crabgate check --format "))
        self.assertIn("completions", self.fish("crabgate compl"))

    def test_zsh(self):
        shown = self.zsh("crabgate check --fo\t")
        self.assertIn("crabgate check --format ", shown)

    def test_every_option_the_parsers_take_completes(self):
        sys.path.insert(0, os.path.dirname(__file__))
        from test_cli import TestHelpAgreesWithProgram, parser_options  # noqa: E402
        for cmd, (files, rejected) in TestHelpAgreesWithProgram.PARSERS.items():
            offered = set(self.bash("crabgate", cmd, "-"))
            missing = sorted(parser_options(*files) - rejected - offered)
            self.assertEqual(missing, [], f"`crabgate {cmd} -<TAB>` misses these")
        offered = set(self.bash("crabgate", "-"))
        self.assertEqual(sorted(parser_options("main.c") - offered - {"--help", "-h"}), [])


class ManPage(unittest.TestCase):
    def test_renders_without_warnings_and_names_every_command(self):
        need("groff")
        page = crabgate("help", "--man")
        self.assertTrue(page.startswith(".TH CRABGATE 1 "), page[:80])
        r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z"], input=page, capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        r = subprocess.run(["groff", "-man", "-Tutf8", "-P", "-c"], input=page, capture_output=True, text=True)
        text = re.sub(".\b", "", r.stdout)
        for line in crabgate("help").splitlines():
            m = re.match(r"  (\S+)\s{2,}", line)
            if m and not m.group(1).startswith("-"):
                self.assertIn(f"crabgate {m.group(1)}", text)
        # The same option text as `help check`, hyphens and all.
        self.assertIn("--fail-level LEVEL", text)
        self.assertIn("error (default), warning, note or never", text)

    def test_build_writes_what_install_installs(self):
        share = os.path.join(BUILD_DIR, "share")
        for name, args in (("crabgate.bash", ["completions", "bash"]), ("_crabgate", ["completions", "zsh"]),
                           ("crabgate.fish", ["completions", "fish"]), ("crabgate.1", ["help", "--man"])):
            with open(os.path.join(share, name)) as f:
                self.assertEqual(f.read(), crabgate(*args), name)
        with tempfile.TemporaryDirectory(prefix="crabgate-prefix-") as prefix:
            r = subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", prefix], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            for dest in ("bash-completion/completions/crabgate", "zsh/site-functions/_crabgate",
                         "fish/vendor_completions.d/crabgate.fish", "man/man1/crabgate.1"):
                self.assertTrue(os.path.isfile(os.path.join(prefix, "share", dest)), dest)

    def test_unknown_shell_is_a_usage_error(self):
        r = subprocess.run([BIN, "completions", "tcsh"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("bash|zsh|fish", r.stderr)


if __name__ == "__main__":
    unittest.main()
