#!/usr/bin/env python3
"""Runs rule case folders (see README.md) against the built crabgate.

    run_case.py CASE...    each folder in turn; prints one line per case, the details of each
                           failure, and exits 1 when any failed

What the driver knows of the rules (ids, default severities) it asks the binary, once per
process: `crabgate rules --format json`.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile


class CaseError(Exception):
    """A case that cannot be run as written (its set-up failed)."""


BIN = os.path.abspath(os.environ["CRABGATE_BIN"]) if "CRABGATE_BIN" in os.environ else "crabgate"
# A case's crabgate runs in well under a second (minutes under valgrind or a sanitizer): one
# that hangs fails its case by name instead of holding the whole family until ctest's limit.
CALL_TIMEOUT = float(os.environ.get("CASE_CALL_TIMEOUT", "300"))


def crabgate(args, repo, stdin=None):
    try:
        return subprocess.run([BIN, *args], cwd=repo, input=stdin, capture_output=True, text=True,
                              env=env(), timeout=CALL_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise CaseError(f"`crabgate {' '.join(args)}` did not finish in {CALL_TIMEOUT:.0f} s")


def git(repo, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="Case", GIT_AUTHOR_EMAIL="case@example.invalid",
               GIT_COMMITTER_NAME="Case", GIT_COMMITTER_EMAIL="case@example.invalid",
               GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
    r = subprocess.run(["git", "-C", repo, *args], env=env, capture_output=True, text=True)
    if r.returncode:
        raise CaseError(f"git {' '.join(args)} failed: {r.stderr}")
    return r.stdout.strip()


def copy_tree(src, dst):
    for root, _, files in os.walk(src):
        for name in files:
            s = os.path.join(root, name)
            d = os.path.join(dst, os.path.relpath(s, src))
            os.makedirs(os.path.dirname(d), exist_ok=True)
            shutil.copyfile(s, d)


def env():
    e = dict(os.environ, NO_COLOR="1")
    e.pop("CRABGATE_CONFIG", None)
    return e


def read(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path, encoding="utf-8") as f:
        return f.read()


def registry():
    """The rules the binary registers, by id: {"default_severity", "enabled_by_default", ...}."""
    with tempfile.TemporaryDirectory(prefix="crabgate-rules-") as cwd:
        r = subprocess.run([BIN, "rules", "--format", "json"], cwd=cwd, capture_output=True, text=True, env=env())
    if r.returncode:
        sys.exit(f"`crabgate rules --format json` failed ({r.returncode}): {r.stderr}")
    return {rule["id"]: rule for rule in json.loads(r.stdout)["rules"]}


def fixed_line(case, finding):
    """The finding's line of after/ once its fix's edits are applied (None without a fix)."""
    if not finding.get("fix"):
        return None
    with open(os.path.join(case, "after", finding["path"]), "rb") as f:
        text = f.read()
    # Edits above the line (a `use` line dropped) move it: follow it.
    line_start = sum(len(l) + 1 for l in text.split(b"\n")[:finding["line"] - 1])
    line = finding["line"] - 1
    for e in finding["fix"]["edits"]:
        if e["path"] == finding["path"] and e["byte_end"] <= line_start and e["byte_end"] > e["byte_start"]:
            line += e["replacement"].count("\n") - text[e["byte_start"]:e["byte_end"]].count(b"\n")
    for e in sorted(finding["fix"]["edits"], key=lambda e: e["byte_start"], reverse=True):
        text = text[:e["byte_start"]] + e["replacement"].encode() + text[e["byte_end"]:]
    return text.decode().split("\n")[line]


def run(case, rules):
    """Runs one case folder; returns the problems found (empty: it passed) and a one-line summary."""
    name = os.path.basename(case)
    with tempfile.TemporaryDirectory(prefix="crabgate-case-") as repo:
        git(repo, "init", "-q", "-b", "main")
        base = head = ""
        cfg = read(os.path.join(case, "config.yaml"))
        if cfg is not None:
            with open(os.path.join(repo, ".crabgate.yaml"), "w", encoding="utf-8") as f:
                f.write(cfg)
        if os.path.isdir(os.path.join(case, "before")):
            copy_tree(os.path.join(case, "before"), repo)
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "-m", "before")
            base = git(repo, "rev-parse", "HEAD")
        # pre_cmd: a crabgate command run on the repository as it is before after/ is applied
        # (the first step of two-step cases such as `baseline FILE --all`, then a check).
        pre = read(os.path.join(case, "pre_cmd"))
        if pre is not None:
            pre_args = pre.strip().replace("{base}", base).split()
            p = crabgate(pre_args, repo)
            if p.returncode not in (0, 1):
                raise CaseError(f"pre_cmd `crabgate {' '.join(pre_args)}` failed ({p.returncode}): {p.stderr}")
        if os.path.isdir(os.path.join(case, "after")):
            copy_tree(os.path.join(case, "after"), repo)
        for line in (read(os.path.join(case, "delete"), "") or "").splitlines():
            if line.strip():
                os.remove(os.path.join(repo, line.strip()))
        git(repo, "add", "-A")
        if os.path.exists(os.path.join(case, "commit")):
            git(repo, "commit", "-q", "--allow-empty", "-m", "after")
            head = git(repo, "rev-parse", "HEAD")

        cmd = read(os.path.join(case, "cmd"))
        args = cmd.strip().replace("{base}", base).replace("{head}", head).split()
        # Only the checking commands speak JSON; rules, explain and demo print text.
        is_check = args and args[0] == "check"
        if is_check and "--format" not in args:
            args += ["--format", "json"]
        stdin = read(os.path.join(case, "stdin"), "")
        r = crabgate(args, repo, stdin)
        # bench/same_findings.py compares this output across two builds.
        if os.environ.get("CASE_OUTPUT"):
            with open(os.environ["CASE_OUTPUT"], "w") as out:
                out.write(f"exit {r.returncode}\n" + r.stdout.replace(repo, "{repo}"))

    text = read(os.path.join(case, "expected.jsonl"), "") or ""
    expected = [json.loads(l) for l in text.splitlines() if l.strip()]
    # An expected finding without a severity has its rule's default one.
    default_exit = 1 if any(e.get("severity", "error") == "error" and
                            rules.get(e.get("rule"), {}).get("default_severity") == "error"
                            for e in expected) else 0
    want_exit = int((read(os.path.join(case, "exit")) or str(default_exit)).strip())
    problems = []
    if r.returncode != want_exit:
        problems.append(f"exit status {r.returncode}, expected {want_exit}")
    want_err = read(os.path.join(case, "stderr_contains"))
    if want_err and want_err.strip() not in r.stderr:
        problems.append(f"stderr lacks {want_err.strip()!r}")
    for want in (read(os.path.join(case, "stdout_contains"), "") or "").splitlines():
        if want.strip() and want.strip() not in r.stdout:
            problems.append(f"stdout lacks {want.strip()!r}")
    got, doc = [], None
    if r.stdout.strip().startswith("{"):
        doc = json.loads(r.stdout)
        got = doc["findings"]
    elif expected:
        problems.append("no JSON on stdout")
    want_json = read(os.path.join(case, "json_contains"))
    if want_json is not None:
        for k, v in json.loads(want_json).items():
            if doc is None or doc.get(k) != v:
                problems.append(f"JSON {k}: {None if doc is None else doc.get(k)!r}, expected {v!r}")
    # When stdout is not JSON (rules, explain, demo), only the other checks apply.
    # A case compares the findings of the rules it names (in expected.jsonl, config.yaml, cmd or
    # its rules file) and no others: a new rule never breaks a case about another one.
    names = text + (cfg or "") + cmd + (read(os.path.join(case, "rules"), "") or "")
    named = {rule for rule in rules if rule in names}
    got = [f for f in got if f["rule"] in named]
    key = lambda f: (f["rule"], f["path"], f["line"])
    got_keys = sorted(key(f) for f in got)
    want_keys = sorted(key(e) for e in expected)
    if (is_check or expected) and got_keys != want_keys:
        problems.append(f"findings {got_keys}\n  expected {want_keys}")
    for e in expected:
        match = [f for f in got if key(f) == key(e)]
        for f in match[:1]:
            if "severity" in e and f["severity"] != e["severity"]:
                problems.append(f"{key(e)}: severity {f['severity']}, expected {e['severity']}")
            if "message_contains" in e and e["message_contains"] not in f["message"]:
                problems.append(f"{key(e)}: message {f['message']!r} lacks {e['message_contains']!r}")
            if "message_lacks" in e and e["message_lacks"] in f["message"]:
                problems.append(f"{key(e)}: message {f['message']!r} has {e['message_lacks']!r}")
            if "help_contains" in e and e["help_contains"] not in (f.get("help") or ""):
                problems.append(f"{key(e)}: help {f.get('help')!r} lacks {e['help_contains']!r}")
            fix = f.get("fix")
            if "fix" in e and (fix["applicability"] if fix else "none") != e["fix"]:
                problems.append(f"{key(e)}: fix {fix and fix['applicability']!r}, expected {e['fix']!r}")
            if "fixed_line" in e:
                line = fixed_line(case, f)
                if line != e["fixed_line"]:
                    problems.append(f"{key(e)}: the fixed line is {line!r}, expected {e['fixed_line']!r}")
    if problems:
        problems = ["command: crabgate " + " ".join(args), *problems,
                    "stdout: " + r.stdout[:4000], "stderr: " + r.stderr[:4000]]
    return problems, f"{len(got)} findings, exit {r.returncode}"


def main():
    cases = [os.path.abspath(c) for c in sys.argv[1:]]
    if not cases:
        sys.exit(__doc__)
    if os.environ.get("CASE_OUTPUT") and len(cases) > 1:
        sys.exit("run_case.py: CASE_OUTPUT names one file: give one case")
    rules = registry()
    failed = []
    for case in cases:
        name = os.path.basename(case)
        try:
            problems, summary = run(case, rules)
        except CaseError as e:
            problems, summary = [str(e)], ""
        if problems:
            failed.append(name)
            print(f"case {name}: FAILED")
            for p in problems:
                print("  " + p)
        else:
            print(f"case {name}: ok ({summary})")
        sys.stdout.flush()
    if len(cases) > 1:
        print(f"{len(cases) - len(failed)} of {len(cases)} cases passed" +
              (f"; failed: {' '.join(failed)}" if failed else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
