"""ci/setup.sh, the README's first command: it installs what building and running need and
nothing only the tests need, prints a timed line per step (none under --quiet), and a second
run installs nothing. apt-get, dpkg-query and cmake are shims in the test's folder that record
what they are asked (apt-get "installs" into a list dpkg-query reads), so nothing is installed
and nothing is built; the real build is what every other test runs.
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import SOURCE_DIR  # noqa: E402

SETUP = os.path.join(SOURCE_DIR, "ci", "setup.sh")
# What only the tests need: never installed by the first command.
TEST_ONLY = re.compile(r"^(librust-.*|libcmocka-dev|shellcheck|pre-commit|valgrind|rustc|cargo|zsh|fish|groff-base|"
                       r"clang|clang-format|libclang-rt.*|dash|python3-yaml|time|node-.*|nodejs)$")

SHIMS = {
    "apt-get": """#!/bin/sh
echo "$*" >>"$SHIM_LOG/apt-get"
if [ "$1" = install ]; then
  for p in "$@"; do case $p in -*) ;; install) ;; *) echo "$p" >>"$SHIM_LOG/installed" ;; esac; done
fi
""",
    "dpkg-query": """#!/bin/sh
for p in "$@"; do :; done
grep -qx "$p" "$SHIM_LOG/installed" 2>/dev/null && printf 'install ok installed'
""",
    # Configures into a CMakeCache.txt that records the options; builds an empty crabgate.
    "cmake": """#!/bin/sh
echo "$*" >>"$SHIM_LOG/cmake"
if [ "$1" = --build ]; then : >"$2/crabgate"; chmod +x "$2/crabgate"; exit 0; fi
while [ $# -gt 0 ]; do
  case $1 in
    -B) build=$2; shift ;;
    -DCRABGATE_TESTS=*) tests=${1#-DCRABGATE_TESTS=} ;;
  esac
  shift
done
mkdir -p "$build"
echo "CRABGATE_TESTS:BOOL=$tests" >"$build/CMakeCache.txt"
""",
}


class TestSetup(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="crabgate-setup-")
        self.tmp = self._tmp.name
        self.log = os.path.join(self.tmp, "log")
        shims = os.path.join(self.tmp, "shims")
        os.makedirs(self.log)
        os.makedirs(shims)
        for name, text in SHIMS.items():
            with open(os.path.join(shims, name), "w") as f:
                f.write(text)
            os.chmod(os.path.join(shims, name), 0o755)
        # The grammars cached: the build needs no npm.
        grammars = os.path.join(self.tmp, "grammars")
        for g in ("runtime", "rust", "toml"):
            os.makedirs(os.path.join(grammars, g))
            open(os.path.join(grammars, g, ".crabgate-0123"), "w").close()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CRABGATE_")}
        self.env.update(PATH=shims + os.pathsep + os.environ["PATH"], SHIM_LOG=self.log,
                        CRABGATE_BUILD_DIR=os.path.join(self.tmp, "build"), CRABGATE_GRAMMAR_CACHE=grammars)

    def tearDown(self):
        self._tmp.cleanup()

    def run_setup(self, *args):
        for f in ("apt-get", "cmake"):
            if os.path.exists(os.path.join(self.log, f)):
                os.unlink(os.path.join(self.log, f))
        r = subprocess.run(["bash", SETUP, *args], env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout

    def asked(self, tool):
        try:
            with open(os.path.join(self.log, tool)) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def test_first_command(self):
        out = self.run_setup()
        lines = out.splitlines()
        for line in lines:
            self.assertRegex(line, r"^crabgate setup: .+ \(\d+\.\ds\)$")
        self.assertEqual([re.match(r"crabgate setup: ([a-zA-Z ]+)", ln).group(1).strip() for ln in lines],
                         ["Debian packages", "cmake", "build into"])
        installs = [ln.split()[1:] for ln in self.asked("apt-get") if ln.startswith("install ")]
        self.assertEqual(len(installs), 1, self.asked("apt-get"))
        packages = [p for p in installs[0] if not p.startswith("-")]
        self.assertIn("libgit2-dev", packages)
        self.assertIn("cmake", packages)
        self.assertNotIn("npm", packages, "the grammars are cached")
        self.assertEqual([p for p in packages if TEST_ONLY.match(p)], [], packages)
        configure = self.asked("cmake")[0]
        self.assertIn("-DCRABGATE_TESTS=OFF", configure)
        self.assertNotIn("CMAKE_BUILD_TYPE", configure, "Release is CMakeLists.txt's default")

        # Again, quietly: nothing printed, nothing installed, nothing configured.
        self.assertEqual(self.run_setup("--quiet"), "")
        self.assertEqual(self.asked("apt-get"), [])
        self.assertEqual([c for c in self.asked("cmake") if not c.startswith("--build")], [])

    def test_usage(self):
        r = subprocess.run(["bash", SETUP, "--nope"], env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage: ci/setup.sh [--tests] [--quiet]", r.stderr)
        self.assertEqual(self.asked("apt-get"), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
