"""Release hygiene: licences, the changelog, and install snippets that work.

Every version tag the documents, the Action and the CI templates name must exist (a `rev: v0.1.0`
that does not makes pre-commit fail with "pathspec 'v0.1.0' did not match"), and every pinned
commit must be in the repository's history. docs/releasing.md says how a release is made.
"""
import glob
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cglib import SOURCE_DIR  # noqa: E402

TAG = re.compile(r"(?<![\w.])v(\d+\.\d+\.\d+)\b")
SHA = re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{40}(?![0-9a-fA-F])")


def snippet_files():
    """Where install snippets live: docs, README, the Action, the CI templates, the hook manifest."""
    files = [os.path.join(SOURCE_DIR, n) for n in ("README.md", "action.yml", ".pre-commit-hooks.yaml")]
    files += sorted(glob.glob(os.path.join(SOURCE_DIR, "docs", "*.md")))
    files += sorted(glob.glob(os.path.join(SOURCE_DIR, "ci", "*.yml")))
    return [f for f in files if os.path.isfile(f)]


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def git(*args):
    return subprocess.run(["git", "-C", SOURCE_DIR, *args], capture_output=True, text=True)


def has_history():
    """A git checkout of crabgate itself, with its whole history (not a tarball, not shallow)."""
    if not os.path.exists(os.path.join(SOURCE_DIR, ".git")):
        return False
    top = git("rev-parse", "--show-toplevel")
    if top.returncode or os.path.realpath(top.stdout.strip()) != os.path.realpath(SOURCE_DIR):
        return False
    return git("rev-parse", "--is-shallow-repository").stdout.strip() == "false"


class TestLicenceAndChangelog(unittest.TestCase):
    def test_dual_licence(self):
        mit = read(os.path.join(SOURCE_DIR, "LICENSE-MIT"))
        self.assertIn("Copyright (c) the crabgate developers", mit)
        self.assertIn("Permission is hereby granted, free of charge", mit)
        apache = read(os.path.join(SOURCE_DIR, "LICENSE-APACHE"))
        self.assertIn("Apache License", apache)
        self.assertIn("Version 2.0, January 2004", apache)
        self.assertIn("END OF TERMS AND CONDITIONS", apache)
        self.assertIn("MIT OR Apache-2.0", read(os.path.join(SOURCE_DIR, "README.md")))

    def test_changelog_keeps_a_changelog(self):
        text = read(os.path.join(SOURCE_DIR, "CHANGELOG.md"))
        self.assertTrue(text.startswith("# Changelog\n"))
        self.assertIn("keepachangelog.com", text)
        self.assertIn("\n## [Unreleased]\n", text)
        self.assertIn("\n[Unreleased]: ", text)
        for version in re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", text, re.M):
            self.assertIn(f"\n[{version}]: ", text, f"CHANGELOG.md: no link for {version}")
        # Every section heading is Unreleased or a dated version.
        for heading in re.findall(r"^## (.*)$", text, re.M):
            self.assertRegex(heading, r"^\[Unreleased\]$|^\[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}$")

    def test_releasing_is_documented(self):
        text = read(os.path.join(SOURCE_DIR, "docs", "releasing.md"))
        for needle in ("CHANGELOG.md", "git tag -a vX.Y.Z", "CMakeLists.txt"):
            self.assertIn(needle, text)


class TestSnippets(unittest.TestCase):
    def tags(self):
        return set(git("tag", "--list", "v*").stdout.split()) if has_history() else set()

    def test_no_tag_that_does_not_exist(self):
        tags = self.tags()
        for path in snippet_files():
            for m in TAG.finditer(read(path)):
                tag = "v" + m.group(1)
                if not has_history() and tag != "v0.1.0":
                    continue  # a tarball cannot say which tags exist
                self.assertIn(tag, tags, f"{os.path.relpath(path, SOURCE_DIR)} names {tag}, which is not a tag "
                                         "of crabgate (docs/releasing.md: tag first, or pin a commit of main)")

    def test_pinned_commits_are_in_the_history(self):
        pins = {}
        for path in snippet_files():
            for sha in SHA.findall(read(path)):
                pins.setdefault(sha, []).append(os.path.relpath(path, SOURCE_DIR))
        if not has_history():
            self.skipTest("not a full git checkout of crabgate: cannot look the pinned commits up")
        for sha, where in pins.items():
            r = git("merge-base", "--is-ancestor", sha, "HEAD")
            self.assertEqual(r.returncode, 0, f"{', '.join(where)} pin {sha}, which is not in HEAD's history")

    def test_install_snippets_pin_something_that_exists(self):
        # The forms the tools take: pre-commit's rev and the GitLab template's
        # version must not move (a full commit or a tag); the Action may follow main.
        hooks = read(os.path.join(SOURCE_DIR, "docs", "hooks.md"))
        for rev in re.findall(r"^\s*rev: (\S+)", hooks, re.M):
            self.assertRegex(rev, r"^([0-9a-f]{40}|v\d+\.\d+\.\d+)$", "docs/hooks.md: rev")
        gitlab = read(os.path.join(SOURCE_DIR, "ci", "gitlab-ci.yml"))
        version = re.search(r'^\s*CRABGATE_VERSION: "([^"]*)"', gitlab, re.M).group(1)
        self.assertRegex(version, r"^([0-9a-f]{40}|v\d+\.\d+\.\d+)$", "ci/gitlab-ci.yml: CRABGATE_VERSION")
        for path in (os.path.join(SOURCE_DIR, "docs", "github.md"), os.path.join(SOURCE_DIR, "ci", "github-workflow.yml")):
            for ref in re.findall(r"uses: crabgate/crabgate@(\S+)", read(path)):
                self.assertRegex(ref, r"^(main|[0-9a-f]{40}|v\d+\.\d+\.\d+)$", path)

    def test_changelog_versions_are_tagged(self):
        if not has_history():
            self.skipTest("not a full git checkout of crabgate: its tags are unknown")
        tags = self.tags()
        changelog = read(os.path.join(SOURCE_DIR, "CHANGELOG.md"))
        for version in re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, re.M):
            self.assertIn("v" + version, tags, f"CHANGELOG.md has {version}, but there is no tag v{version}")
        # A tagged HEAD is that release: CMakeLists.txt and CHANGELOG.md say so.
        exact = git("describe", "--tags", "--exact-match", "--match", "v[0-9]*", "HEAD")
        if exact.returncode == 0:
            version = exact.stdout.strip()[1:]
            self.assertIn(f"project(crabgate VERSION {version} ", read(os.path.join(SOURCE_DIR, "CMakeLists.txt")))
            self.assertIn(f"\n## [{version}] - ", changelog)


if __name__ == "__main__":
    unittest.main(verbosity=2)
