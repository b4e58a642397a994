"""`crabgate --version` and cmake/version.cmake: the commit of an untagged build."""
import ctypes
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import BIN, GIT_ENV, SOURCE_DIR  # noqa: E402

SCRIPT = os.path.join(SOURCE_DIR, "cmake", "version.cmake")


def project_version():
    with open(os.path.join(SOURCE_DIR, "CMakeLists.txt"), encoding="utf-8") as f:
        return re.search(r"project\(crabgate VERSION (\S+)", f.read()).group(1)


class TestVersionScript(unittest.TestCase):
    """The script the build runs, on sandbox repositories."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="crabgate-version-")
        self.tmp = self._tmp.name
        self.src = os.path.join(self.tmp, "src")
        os.makedirs(self.src)
        self.out = os.path.join(self.tmp, "out", "cg_version.h")
        os.makedirs(os.path.dirname(self.out))
        self.env = dict(os.environ, **GIT_ENV)
        self.git("init", "-q", "-b", "main")
        self.commit("one")

    def tearDown(self):
        self._tmp.cleanup()

    def git(self, *args, cwd=None):
        r = subprocess.run(["git", *args], cwd=cwd or self.src, env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip()

    def commit(self, msg):
        with open(os.path.join(self.src, "file"), "a", encoding="utf-8") as f:
            f.write(msg + "\n")
        self.git("add", "file")
        self.git("commit", "-q", "-m", msg)
        return self.git("rev-parse", "--short=12", "HEAD")

    def run_script(self, src=None, version="1.2.3"):
        r = subprocess.run(["cmake", f"-DSOURCE_DIR={src or self.src}", f"-DOUT={self.out}",
                            f"-DVERSION={version}", "-P", SCRIPT], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.out, encoding="utf-8") as f:
            return re.search(r'#define CG_VERSION_FULL "(.*)"', f.read()).group(1)

    def test_untagged_names_the_commit_and_follows_head(self):
        head = self.git("rev-parse", "--short=12", "HEAD")
        self.assertEqual(self.run_script(), f"1.2.3 (commit {head}, not a tagged release)")
        # Unchanged HEAD: the header is left alone, so nothing recompiles.
        os.utime(self.out, (1000, 1000))
        self.run_script()
        self.assertEqual(os.stat(self.out).st_mtime, 1000)
        # HEAD moved: the header follows.
        head = self.commit("two")
        self.assertEqual(self.run_script(), f"1.2.3 (commit {head}, not a tagged release)")
        self.assertNotEqual(os.stat(self.out).st_mtime, 1000)

    def test_release_tag_is_the_version_alone(self):
        self.git("tag", "-a", "-m", "v1.2.3", "v1.2.3")
        self.assertEqual(self.run_script(), "1.2.3")
        # Another version's tag is not this release.
        head = self.git("rev-parse", "--short=12", "HEAD")
        self.assertEqual(self.run_script(version="1.3.0"), f"1.3.0 (commit {head}, not a tagged release)")

    def test_tarball_and_folder_inside_another_repository(self):
        tarball = os.path.join(self.tmp, "tarball")
        shutil.copytree(self.src, tarball, ignore=shutil.ignore_patterns(".git"))
        self.assertEqual(self.run_script(src=tarball), "1.2.3")
        inner = os.path.join(self.src, "vendor", "crabgate")
        os.makedirs(inner)
        self.assertEqual(self.run_script(src=inner), "1.2.3")


class TestVersionCommand(unittest.TestCase):
    def test_version_line(self):
        r = subprocess.run([BIN, "--version"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        version = project_version()
        m = re.fullmatch(re.escape(f"crabgate {version}") + r"(?: \(commit ([0-9a-f]{12}), not a tagged release\))?\n",
                         r.stdout)
        self.assertTrue(m, r.stdout)
        self.assertEqual(subprocess.run([BIN, "version"], capture_output=True, text=True).stdout, r.stdout)
        if not os.path.exists(os.path.join(SOURCE_DIR, ".git")) or not shutil.which("git"):
            return
        tagged = subprocess.run(["git", "-C", SOURCE_DIR, "describe", "--tags", "--exact-match", "--match",
                                 f"v{version}", "HEAD"], capture_output=True).returncode == 0
        if tagged:
            self.assertIsNone(m.group(1), r.stdout)
        else:
            # Built from this checkout: the commit is one of its history.
            self.assertIsNotNone(m.group(1), r.stdout)
            self.assertEqual(subprocess.run(["git", "-C", SOURCE_DIR, "cat-file", "-e", m.group(1) + "^{commit}"],
                                            capture_output=True).returncode, 0, r.stdout)

    def test_verbose_names_the_libraries(self):
        plain = subprocess.run([BIN, "version"], capture_output=True, text=True).stdout
        r = subprocess.run([BIN, "version", "--verbose"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith(plain), r.stdout)
        self.assertEqual(subprocess.run([BIN, "-v", "--version"], capture_output=True, text=True).stdout, r.stdout)
        self.assertEqual(subprocess.run([BIN, "version", "-v"], capture_output=True, text=True).stdout, r.stdout)
        lines = dict(line.split(" ", 1) for line in r.stdout.splitlines()[1:])
        self.assertEqual(sorted(lines), ["libcurl", "libgit2", "tree-sitter", "tree-sitter-rust", "tree-sitter-toml"])

        # The libraries' own answers, asked of the very files the binary runs with.
        libs = {}
        for line in subprocess.run(["ldd", BIN], capture_output=True, text=True).stdout.splitlines():
            m = re.match(r"\s*(lib\S+)\.so\S* => (\S+)", line)
            if m:
                libs[m.group(1)] = m.group(2)
        git2 = ctypes.CDLL(libs["libgit2"])
        v = [ctypes.c_int(), ctypes.c_int(), ctypes.c_int()]
        git2.git_libgit2_version(*[ctypes.byref(x) for x in v])
        self.assertEqual(lines["libgit2"], ".".join(str(x.value) for x in v))
        self.assertNotIn("libcurl", libs, "libcurl is loaded at run time, not linked")
        curl = ctypes.CDLL("libcurl.so.4")
        curl.curl_version.restype = ctypes.c_char_p
        curl_version = curl.curl_version().decode().split()[0].split("/")[1]
        self.assertTrue(lines["libcurl"].startswith(curl_version + " ("), lines["libcurl"])

        # The built-in tree-sitter is the version cmake pinned.
        with open(os.path.join(SOURCE_DIR, "cmake", "grammars.cmake"), encoding="utf-8") as f:
            pins = dict(re.findall(r'crabgate_fetch_npm\((\w+) "[^"]*@([0-9.]+)"', f.read()))
        self.assertEqual(lines["tree-sitter"], pins["runtime"] + " (built in)")
        self.assertEqual(lines["tree-sitter-rust"], pins["rust"] + " (built in)")
        self.assertEqual(lines["tree-sitter-toml"], pins["toml"] + " (built in)")

    def test_unknown_argument_is_usage(self):
        r = subprocess.run([BIN, "version", "--nope"], capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stdout), (2, ""))
        self.assertIn("--nope", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
