"""Sample outputs in the documentation come from the binary, so they cannot drift.

A sample is a fenced block right after a comment naming what produces it:

    <!-- sample
    setup: mkdir src && printf 'use chrono::Utc;\\n' > src/lib.rs && git add -A
    run: crabgate check --staged
    -->
    ```
    ...what `run` prints (standard output and error, as a terminal shows them)...
    ```

Each sample runs in a fresh git repository in a temporary folder, with the built crabgate first on
PATH, no colour, no user configuration and fixed commit dates. `setup:` (optional) must succeed;
the output of `run:` (any exit status) must equal the block.

After a deliberate change to a message, rewrite the blocks and review the diff:

    CRABGATE_BIN=build/crabgate python3 tests/integration/test_doc_samples.py --update
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import BIN, GIT_ENV, SOURCE_DIR  # noqa: E402

DOCS = ["README.md"] + [os.path.join("docs", n) for n in sorted(os.listdir(os.path.join(SOURCE_DIR, "docs")))
                        if n.endswith(".md")]
SAMPLE = re.compile(r"<!-- sample\n(?:setup: (?P<setup>[^\n]*)\n)?run: (?P<run>[^\n]*)\n-->\n\n?```[a-z]*\n"
                    r"(?P<out>.*?)```\n", re.S)


def samples(text):
    return list(SAMPLE.finditer(text))


def produce(setup, command):
    """What `command` prints in a fresh repository after `setup`."""
    with tempfile.TemporaryDirectory(prefix="crabgate-doc-") as tmp:
        repo = os.path.join(tmp, "repo")
        bindir = os.path.join(tmp, "bin")
        os.makedirs(repo)
        os.makedirs(bindir)
        os.symlink(BIN, os.path.join(bindir, "crabgate"))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GITHUB_", "GITLAB_", "CI_", "CRABGATE_", "OPENAI_", "ANTHROPIC_", "GIT_"))}
        env.update(GIT_ENV)
        env.update({"HOME": tmp, "NO_COLOR": "1", "PATH": bindir + os.pathsep + env.get("PATH", ""),
                    "TMPDIR": tmp})
        subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True, env=env)
        if setup:
            r = subprocess.run(["sh", "-c", setup], cwd=repo, env=env, capture_output=True, text=True)
            if r.returncode:
                raise AssertionError(f"setup failed ({r.returncode}): {setup}\n{r.stdout}{r.stderr}")
        r = subprocess.run(["sh", "-c", command], cwd=repo, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        return r.stdout


def read(doc):
    with open(os.path.join(SOURCE_DIR, doc), encoding="utf-8") as f:
        return f.read()


def update():
    for doc in DOCS:
        text = read(doc)
        out, last = [], 0
        for m in samples(text):
            out.append(text[last:m.start("out")])
            out.append(produce(m.group("setup"), m.group("run")))
            last = m.end("out")
        out.append(text[last:])
        new = "".join(out)
        if new != text:
            with open(os.path.join(SOURCE_DIR, doc), "w", encoding="utf-8") as f:
                f.write(new)
            print(f"rewrote the samples of {doc}")


class TestDocSamples(unittest.TestCase):
    def test_the_docs_have_samples(self):
        found = {doc: len(samples(read(doc))) for doc in DOCS}
        self.assertGreaterEqual(found["docs/hooks.md"], 1)
        self.assertGreaterEqual(found["docs/reports.md"], 2)
        self.assertGreaterEqual(found["README.md"], 1)
        # A marker the pattern does not take would silently check nothing.
        for doc in DOCS:
            self.assertEqual(read(doc).count("<!-- sample"), found[doc], doc)

    def test_every_sample_is_what_the_binary_prints(self):
        for doc in DOCS:
            for m in samples(read(doc)):
                with self.subTest(doc=doc, run=m.group("run")):
                    self.assertEqual(m.group("out"), produce(m.group("setup"), m.group("run")),
                                     f"{doc}: regenerate with `python3 {__file__} --update`")


if __name__ == "__main__":
    if sys.argv[1:] == ["--update"]:
        update()
    else:
        unittest.main(verbosity=2)
