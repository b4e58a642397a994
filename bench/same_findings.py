#!/usr/bin/env python3
"""Shows that a change left crabgate's findings byte for byte as they were.

    bench/same_findings.py save DIR BIN      record BIN's output in DIR
    bench/same_findings.py compare DIR BIN   compare BIN's output with DIR's

The output compared is `check --all --filter all --format json` (findings,
messages, fingerprints, counts) on the tokio bundle of ../shared/corpora and
on Debian's crate sources (/usr/share/cargo/registry, every crate in one
repository), and the output and exit status of every case folder under
tests/cases. A restructure that changes no behaviour changes none of it.
The corpora are laid out once under $SAME_WORK (default /tmp/cg-same), never
inside the repository (several runs may share them: they are only read);
SAME_ONLY=tokio,debian,cases narrows a run.
"""
import concurrent.futures
import difflib
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.environ.get("SAME_WORK", "/tmp/cg-same")
BUNDLE = os.path.join(os.path.dirname(ROOT), "shared", "corpora", "tokio.bundle")
REGISTRY = "/usr/share/cargo/registry"
GIT_ENV = dict(os.environ, GIT_AUTHOR_NAME="s", GIT_AUTHOR_EMAIL="s@example.invalid",
               GIT_COMMITTER_NAME="s", GIT_COMMITTER_EMAIL="s@example.invalid",
               GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")


def git(*args):
    subprocess.run(["git", *args], check=True, env=GIT_ENV, stdout=subprocess.DEVNULL)


def corpus(name):
    """The repository a corpus is checked in, made on first use."""
    path = os.path.join(WORK, name)
    if os.path.isdir(os.path.join(path, ".git")):
        return path
    shutil.rmtree(path, ignore_errors=True)
    if name == "tokio":
        git("clone", "-q", BUNDLE, path)
    else:
        shutil.copytree(REGISTRY, path, symlinks=True)
        git("-C", path, "init", "-q", "-b", "main")
        git("-C", path, "add", "-A")
        git("-C", path, "commit", "-qm", "corpus", "--no-gpg-sign")
    return path


def check_all(binary, repo):
    env = dict(os.environ, NO_COLOR="1")
    env.pop("CRABGATE_CONFIG", None)
    r = subprocess.run([binary, "check", "--all", "--filter", "all", "--format", "json", "--fail-level", "never"],
                       cwd=repo, capture_output=True, env=env)
    return b"exit %d\n" % r.returncode + r.stdout


def case_output(binary, case, out):
    env = dict(os.environ, CRABGATE_BIN=binary, CASE_OUTPUT=out)
    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "cases", "run_case.py"), case],
                   env=env, capture_output=True)
    with open(out, "rb") as f:
        return f.read()


def outputs(binary):
    """Yields (name, bytes) for every output compared."""
    only = os.environ.get("SAME_ONLY", "tokio,debian,cases").split(",")
    for name in ("tokio", "debian"):
        if name in only:
            yield name, check_all(binary, corpus(name))
    if "cases" in only:
        cases_dir = os.path.join(ROOT, "tests", "cases")
        names = sorted(n for n in os.listdir(cases_dir) if os.path.isfile(os.path.join(cases_dir, n, "cmd")))
        with tempfile.TemporaryDirectory(prefix="cg-same-cases-") as tmp, \
                concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
            futures = {n: pool.submit(case_output, binary, os.path.join(cases_dir, n), os.path.join(tmp, n))
                       for n in names}
            for n in names:
                yield "case." + n, futures[n].result()


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("save", "compare"):
        sys.exit(__doc__)
    mode, store, binary = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
    os.makedirs(store, exist_ok=True)
    differ = 0
    for name, got in outputs(binary):
        path = os.path.join(store, name)
        if mode == "save":
            with open(path, "wb") as f:
                f.write(got)
            print(f"{name}: saved ({len(got)} bytes)")
            continue
        want = open(path, "rb").read() if os.path.exists(path) else None
        if want == got:
            print(f"{name}: same ({len(got)} bytes)")
            continue
        differ += 1
        print(f"{name}: DIFFERENT")
        old = (want or b"").decode("utf-8", "replace").splitlines()
        new = got.decode("utf-8", "replace").splitlines()
        for line in list(difflib.unified_diff(old, new, "saved", "now", n=1, lineterm=""))[:40]:
            print("    " + line)
    if mode == "compare":
        print(f"{differ} output(s) differ" if differ else "all outputs are byte-identical")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
