#!/usr/bin/env python3
"""crabgate's benchmarks, each against the peer a user would otherwise pick.

B1 pre-commit latency   crabgate check --staged   vs git diff --cached --stat
B2 full scan            crabgate check --all      vs ast-grep scan (two equivalent rules)
B3 history              crabgate check --range    vs git log -p over the same range
B4 scaling              1/10/100-file changes across crates, one 50 MB generated .rs file
B5 model review         bench/review_bench.py (a local model server), when present
B6 workspace size       the same 10-file change in workspaces of 5, 20 and 50 crates

Runs are interleaved (a, b, a, b, ...) so machine noise hits both sides alike; the
median is reported with CPU time and peak RSS of the child (GNU time). Corpora,
laid out in a scratch folder and reused between runs, never in the repository:
  tokio   the tokio workspace (../shared/corpora/tokio.bundle, cloned)
  debian  the distribution's Rust crate sources (/usr/share/cargo/registry), one
          repository holding every crate side by side
B1 and B2 run on each corpus given to --corpus; B3 on debian (it needs a long
history), B4 on tokio, B6 on workspaces generated from the Debian crates.
Every changed-file set is spread over the corpus (evenly spaced over its files,
tests excluded), not its first files in list order. Results are printed and
appended to bench/RESULTS.md.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REGISTRY = "/usr/share/cargo/registry"
TOKIO_BUNDLE = os.path.join(os.path.dirname(ROOT), "shared", "corpora", "tokio.bundle")
AST_GREP_VERSION = "0.51.1"
CRABGATE_BIN = ["crabgate"]


def sh(cmd, cwd=None, env=None, check=True, capture=True):
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=capture, text=True)
    if check and r.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr[-2000:]}")
    return r


def git_env():
    return dict(os.environ, GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
                GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.invalid",
                GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")


def git(repo, *args):
    return sh(["git", "-C", repo, *args], env=git_env()).stdout.strip()


def measure(cmd, cwd):
    """Runs cmd once: (wall seconds, cpu seconds, peak RSS MiB, stdout).

    CPU time and peak RSS come from GNU time, which execs the command itself:
    wait4() on a child forked from Python would count Python's own pages.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-o", tf.name, "-f", "%U %S %M", *cmd], cwd=cwd,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        if p.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed with {p.returncode}")
        user, system, rss_kb = tf.read().split()[-3:]
    return wall, float(user) + float(system), int(rss_kb) / 1024.0, p.stdout


def interleave(a, b, cwd, runs):
    res = {"a": [], "b": []}
    for _ in range(runs):
        res["a"].append(measure(a, cwd))
        res["b"].append(measure(b, cwd))
    return res


def summary(samples):
    return {
        "wall": statistics.median(s[0] for s in samples),
        "cpu": statistics.median(s[1] for s in samples),
        "rss": max(s[2] for s in samples),
    }


def ms(x):
    return f"{x * 1000:.1f} ms" if x < 10 else f"{x:.2f} s"


def build_corpus(work):
    repo = os.path.join(work, "corpus")
    stamp = os.path.join(work, "corpus.ok")
    if os.path.exists(stamp):
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    os.makedirs(repo)
    git(repo, "init", "-q", "-b", "main")
    for name in sorted(os.listdir(REGISTRY)):
        src = os.path.join(REGISTRY, name)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(repo, name), symlinks=True,
                            ignore=shutil.ignore_patterns(".cargo-checksum.json", "debian"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "corpus")
    open(stamp, "w").close()
    return repo


def build_tokio(work):
    repo = os.path.join(work, "tokio")
    if not os.path.isdir(os.path.join(repo, ".git")):
        shutil.rmtree(repo, ignore_errors=True)
        sh(["git", "clone", "-q", TOKIO_BUNDLE, repo])
    return repo


def rs_files(repo, limit, prefixes=("",)):
    """`limit` .rs files evenly spread over those under `prefixes` (tests,
    benches and examples excluded), so a change touches several modules and
    crates the way a real one does, not the first files in list order."""
    out = git(repo, "ls-files", "*.rs").splitlines()
    pools = [[f for f in out if f.startswith(p) and not any(d in f for d in ("/tests/", "/benches/", "/examples/"))]
             for p in prefixes]
    picked = []
    for i, pool in enumerate(pools):
        share = limit // len(pools) + (1 if i < limit % len(pools) else 0)
        share = min(share, len(pool))
        for k in range(share):
            # A prefix listed twice weighs double; its second share starts half a step on, so no file is picked twice.
            j = ((2 * k + prefixes[:i].count(prefixes[i])) * len(pool)) // (2 * share)
            while pool[j % len(pool)] in picked:
                j += 1
            picked.append(pool[j % len(pool)])
    return picked


# Where B1's ten files come from on each corpus.
B1_SPREAD = {"tokio": ("tokio/src/", "tokio/src/", "tokio-util/src/"), "debian": ("",)}


def touch_files(repo, files, tag):
    for f in files:
        with open(os.path.join(repo, f), "a") as fh:
            fh.write(f"\n// {tag}\npub async fn bench_{tag}() {{ std::thread::sleep(std::time::Duration::from_millis(1)); }}\n")


def ensure_ast_grep(work):
    prefix = os.path.join(work, "node")
    exe = os.path.join(prefix, "node_modules", ".bin", "ast-grep")
    if not os.path.exists(exe):
        sh(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", prefix,
            f"@ast-grep/cli@{AST_GREP_VERSION}"])
    return exe


def b1(crabgate, repo, runs, corpus):
    """The hook as a developer meets it (the crate model's cache warm from the
    previous commit) and with the cache off (what a first run pays at most)."""
    files = rs_files(repo, 10, B1_SPREAD[corpus])
    touch_files(repo, files, "b1")
    git(repo, "add", *files)
    hook = [crabgate, "check", "--staged", "--format", "json"]
    cold = [crabgate, "check", "--no-cache", "--staged", "--format", "json"]
    peer = ["git", "diff", "--cached", "--stat"]
    try:
        measure(hook, repo)  # fills the cache, as the commit before this one would have
        res = {"a": [], "c": [], "b": []}
        for _ in range(runs):
            res["a"].append(measure(hook, repo))
            res["c"].append(measure(cold, repo))
            res["b"].append(measure(peer, repo))
        # What the warm hook read (issue 18: no unchanged file's text), from its -v count.
        verbose = sh([crabgate, "-v", *hook[1:]], cwd=repo).stderr
        counts = [l.split("crate model: ", 1)[1] for l in verbose.splitlines() if "crate model: " in l]
    finally:
        git(repo, "reset", "-q", "--hard", "HEAD")
    a, c, b = summary(res["a"]), summary(res["c"]), summary(res["b"])
    return {"name": f"B1 pre-commit latency (10 staged .rs files), {corpus}", "table": [
                ("crabgate, cache warm", a), ("crabgate --no-cache", c), ("git diff --cached --stat", b)],
            "lines": [f"Ratio (crabgate / git): **{a['wall'] / b['wall']:.2f}x** with the cache warm, "
                      f"{c['wall'] / b['wall']:.2f}x with `--no-cache`; target <= 3x.",
                      f"The warm hook's crate model (`-v`), {len(files)} files staged: "
                      f"{counts[-1] if counts else 'no count printed'}."],
            "ratio": a["wall"] / b["wall"]}


TWO_RULES = ("chrono-ban", "blocking-in-async")


def two_rules_config(work):
    """A config with only the two rules ast-grep's YAML rules mirror."""
    rules = sh([CRABGATE_BIN[0], "rules"]).stdout.split("\n")
    path = os.path.join(work, "two-rules.yaml")
    with open(path, "w") as fh:
        fh.write("rules:\n")
        for line in rules:
            rid = line.split()[0] if line.strip() else ""
            if rid and rid not in TWO_RULES:
                fh.write(f"  {rid}:\n    enabled: false\n")
    return path


def count_rules(out, key):
    counts = {}
    for f in out:
        counts[f[key]] = counts.get(f[key], 0) + 1
    return counts


def b2(crabgate, astgrep, repo, runs, work, corpus):
    cfg = os.path.join(HERE, "astgrep", "sgconfig.yml")
    two = two_rules_config(work)
    all_cmd = [crabgate, "check", "--all", "--format", "json", "--fail-level", "never"]
    cold_cmd = [crabgate, "check", "--no-cache", "--all", "--format", "json", "--fail-level", "never"]
    two_cmd = [crabgate, "--config", two, "check", "--all", "--format", "json", "--fail-level", "never"]
    sg_cmd = [astgrep, "scan", "-c", cfg, "--json=compact", "."]
    res = {"a": [], "c": [], "t": [], "b": []}
    measure(all_cmd, repo)  # the cache a previous scan of the same tree left
    for _ in range(runs):
        res["a"].append(measure(all_cmd, repo))
        res["c"].append(measure(cold_cmd, repo))
        res["t"].append(measure(two_cmd, repo))
        res["b"].append(measure(sg_cmd, repo))
    a, c, t, b = summary(res["a"]), summary(res["c"]), summary(res["t"]), summary(res["b"])
    crab = json.loads(res["a"][-1][3])
    crab_two = json.loads(res["t"][-1][3])
    sg = json.loads(res["b"][-1][3] or b"[]")
    return {"name": f"B2 full scan (--all), {corpus}", "rows": None, "three": [
                ("crabgate, every rule, cache warm", a), ("crabgate, every rule, --no-cache", c),
                ("crabgate, the two rules ast-grep mirrors, cache warm", t),
                (f"ast-grep {AST_GREP_VERSION} scan, 2 rules", b)],
            "ratio_all": b["wall"] / a["wall"], "ratio_cold": b["wall"] / c["wall"], "ratio_two": b["wall"] / t["wall"],
            "target": ">= 1.5x faster than ast-grep, peak RSS <= 64 MiB",
            "findings": {"crabgate (every rule)": count_rules(crab["findings"], "rule"),
                         "crabgate (two rules)": count_rules(crab_two["findings"], "rule"),
                         "ast-grep": count_rules(sg, "ruleId")},
            "skipped": crab.get("skipped", [])}


def build_history(work, n_commits):
    """The corpus plus n_commits commits of three-file edits, written with one
    git fast-import (a thousand `git commit` runs over this tree take minutes)."""
    repo = os.path.join(work, "history")
    stamp = os.path.join(work, f"history-{n_commits}.ok")
    if os.path.exists(stamp):
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(os.path.join(work, "corpus"), repo, symlinks=True)
    files = rs_files(repo, 4000)
    start = git(repo, "rev-parse", "HEAD")
    contents = {}
    stream = []
    for i in range(n_commits):
        msg = f"change {i}".encode()
        stream.append(f"commit refs/heads/main\ncommitter Bench <bench@example.invalid> {1767225600 + i} +0000\n"
                      f"data {len(msg)}\n".encode() + msg + b"\n")
        if i == 0:
            stream.append(f"from {start}\n".encode())
        for k in range(3):
            f = files[(i * 3 + k) % len(files)]
            if f not in contents:
                with open(os.path.join(repo, f), "rb") as fh:
                    contents[f] = fh.read()
            contents[f] += f"\n// change {i}.{k}\nfn change_{i}_{k}() -> u32 {{ {i} + {k} }}\n".encode()
            stream.append(f"M 100644 inline {f}\ndata {len(contents[f])}\n".encode() + contents[f] + b"\n")
        stream.append(b"\n")
    r = subprocess.run(["git", "-C", repo, "fast-import", "--quiet"], input=b"".join(stream), capture_output=True)
    if r.returncode:
        raise SystemExit(f"git fast-import: {r.stderr.decode()[-2000:]}")
    git(repo, "reset", "-q", "--hard", "main")
    git(repo, "tag", "-f", "history-start", start)
    open(stamp, "w").close()
    return repo


def b3(crabgate, work, runs, n_commits):
    repo = build_history(work, n_commits)
    rng = f"history-start..HEAD"
    r = interleave([crabgate, "check", "--range", rng, "--format", "json", "--fail-level", "never"],
                   ["git", "log", "-p", rng], repo, runs)
    a, b = summary(r["a"]), summary(r["b"])
    return {"name": f"B3 history ({n_commits} commits, --range)", "crabgate": a, "peer": b,
            "peer_name": "git log -p", "ratio": a["wall"] / b["wall"], "target": "<= 2x"}


def b4(crabgate, work, runs):
    repo = build_tokio(work)
    rows = []
    for n in (1, 10, 100):
        files = rs_files(repo, n, ("tokio/src/", "tokio-util/src/", "tokio-stream/src/", "tokio-macros/src/",
                                   "tokio-test/src/"))
        touch_files(repo, files, f"b4n{n}")
        git(repo, "add", *files)
        samples = [measure([crabgate, "check", "--staged", "--format", "json", "--fail-level", "never"], repo)
                   for _ in range(max(3, runs // 3))]
        s = summary(samples)
        rows.append({"files": n, **s})
        git(repo, "reset", "-q", "--hard", "HEAD")
    # One 50 MB generated file, shaped like bindgen output: C structs, their impls, constants,
    # extern blocks; one unit in 500 an async fn with a blocking call, so the rules find something.
    big = os.path.join(repo, "generated.rs")
    unit = ("#[repr(C)]\n#[derive(Debug, Copy, Clone)]\npub struct S{i} {{\n    pub a: u32,\n    pub b: [u8; 16],\n}}\n\n"
            "impl S{i} {{\n    pub fn new(a: u32) -> Self {{\n        Self {{ a, b: [0; 16] }}\n    }}\n}}\n\n"
            "pub const K{i}: u32 = {i};\n\n"
            "extern \"C\" {{\n    pub fn ffi_{i}(x: *mut S{i}) -> i32;\n}}\n\n")
    slow = "pub async fn poll_{i}() {{\n    std::thread::sleep(std::time::Duration::from_millis({i}));\n}}\n\n"
    with open(big, "w") as fh:
        size, i = 0, 0
        while size < 50 * 1024 * 1024:
            s = unit.format(i=i) + (slow.format(i=i) if i % 500 == 0 else "")
            fh.write(s)
            size += len(s)
            i += 1
    git(repo, "add", "generated.rs")
    nocap = os.path.join(work, "no-cap.yaml")
    with open(nocap, "w") as fh:
        fh.write("max_file_bytes: 0\n")
    # Skipped by default (max_file_bytes); measured with the cap lifted to show the real cost.
    capped = summary([measure([crabgate, "check", "--staged", "--format", "json", "--fail-level", "never"], repo)])
    s = summary([measure([crabgate, "--config", nocap, "check", "--staged", "--format", "json", "--fail-level", "never"],
                         repo)])
    git(repo, "reset", "-q", "--hard", "HEAD")
    return {"name": "B4 scaling, tokio", "rows": rows, "big": {"mb": size / 1048576, **s}, "capped": capped,
            "target": "linear; RSS for the 50 MB file <= 200 MB"}


def build_workspace(work, n, members):
    """A workspace of the first `n` of `members` (Debian crate folders)."""
    repo = os.path.join(work, f"ws{n}")
    stamp = os.path.join(work, f"ws{n}.ok")
    if os.path.exists(stamp):
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    os.makedirs(repo)
    git(repo, "init", "-q", "-b", "main")
    for name in members[:n]:
        shutil.copytree(os.path.join(REGISTRY, name), os.path.join(repo, name), symlinks=True,
                        ignore=shutil.ignore_patterns(".cargo-checksum.json", "debian"))
    with open(os.path.join(repo, "Cargo.toml"), "w") as fh:
        fh.write("[workspace]\nresolver = \"2\"\nmembers = [\n" +
                 "".join(f'    "{m}",\n' for m in members[:n]) + "]\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "workspace")
    open(stamp, "w").close()
    return repo


def b6(crabgate, work, runs):
    """The hook's cost must follow the change, not the repository: the same ten
    files changed in workspaces of 5, 20 and 50 crates (crates with benches
    first, so the larger workspaces add bench files as well as crates)."""
    crates = sorted(d for d in os.listdir(REGISTRY)
                    if os.path.isfile(os.path.join(REGISTRY, d, "Cargo.toml")) and
                    os.path.isdir(os.path.join(REGISTRY, d, "src")))
    first = [c for c in crates if any(f.endswith(".rs") for f in os.listdir(os.path.join(REGISTRY, c, "src")))][:5]
    rest = sorted((c for c in crates if c not in first),
                  key=lambda c: (not os.path.isdir(os.path.join(REGISTRY, c, "benches")), c))
    members = first + rest
    rows = []
    for n in (5, 20, 50):
        repo = build_workspace(work, n, members)
        files = rs_files(repo, 10, tuple(f"{c}/src/" for c in first))
        touch_files(repo, files, "b6")
        git(repo, "add", *files)
        try:
            r = interleave([crabgate, "check", "--staged", "--format", "json", "--fail-level", "never"],
                           ["git", "diff", "--cached", "--stat"], repo, runs)
        finally:
            git(repo, "reset", "-q", "--hard", "HEAD")
        benches = sum(1 for f in git(repo, "ls-files", "*.rs").splitlines() if "/benches/" in f)
        rows.append({"crates": n, "benches": benches, "crabgate": summary(r["a"]), "git": summary(r["b"])})
    return {"name": "B6 workspace size (10 staged files in the same 5 crates), Debian crates", "ws": rows,
            "ratio": rows[-1]["crabgate"]["wall"] / rows[0]["crabgate"]["wall"],
            "target": "50 crates <= 1.2x 5 crates"}


def b5():
    script = os.path.join(HERE, "review_bench.py")
    if not os.path.exists(script):
        return None
    r = sh([sys.executable, script, "--json"], check=False)
    if r.returncode != 0:
        return {"name": "B5 model review", "error": r.stderr[-500:]}
    try:
        return {"name": "B5 model review", **json.loads(r.stdout.strip().splitlines()[-1])}
    except (ValueError, IndexError):
        return {"name": "B5 model review", "raw": r.stdout[-500:]}


def render(results, cmdline, commit):
    lines = [f"## {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} — commit {commit}",
             "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
             f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; "
             f"command: `{cmdline}`", ""]
    for r in results:
        if r is None:
            continue
        lines.append(f"### {r['name']}")
        if r.get("ws"):
            lines.append("| workspace | bench files | crabgate wall | cpu | peak RSS | git diff --cached --stat | ratio |")
            lines.append("| --- | --- | --- | --- | --- | --- | --- |")
            for row in r["ws"]:
                c, g = row["crabgate"], row["git"]
                lines.append(f"| {row['crates']} crates | {row['benches']} | {ms(c['wall'])} | {ms(c['cpu'])} | "
                             f"{c['rss']:.1f} MiB | {ms(g['wall'])} | {c['wall'] / g['wall']:.2f}x |")
            lines.append(f"\n50 crates / 5 crates, crabgate wall time: **{r['ratio']:.2f}x**; target {r['target']}.")
        elif r.get("table"):
            lines.append("| tool | wall (median) | cpu | peak RSS |")
            lines.append("| --- | --- | --- | --- |")
            for label, x in r["table"]:
                lines.append(f"| {label} | {ms(x['wall'])} | {ms(x['cpu'])} | {x['rss']:.1f} MiB |")
            lines.append("")
            lines.extend(r["lines"])
        elif r.get("three"):
            lines.append("| tool | wall (median) | cpu | peak RSS |")
            lines.append("| --- | --- | --- | --- |")
            for label, x in r["three"]:
                lines.append(f"| {label} | {ms(x['wall'])} | {ms(x['cpu'])} | {x['rss']:.1f} MiB |")
            lines.append(f"\nast-grep / crabgate wall time: **{r['ratio_all']:.2f}x** with every rule "
                         f"(cache warm), **{r['ratio_cold']:.2f}x** with every rule and `--no-cache`, "
                         f"**{r['ratio_two']:.2f}x** with the two equivalent rules; target {r['target']}.")
            lines.append(f"Findings: {r['findings']}.")
            if r.get("skipped"):
                lines.append(f"Skipped by crabgate: {r['skipped']}.")
        elif r.get("rows"):
            lines.append("| change | wall | cpu | peak RSS |")
            lines.append("| --- | --- | --- | --- |")
            for row in r["rows"]:
                lines.append(f"| {row['files']} files | {ms(row['wall'])} | {ms(row['cpu'])} | {row['rss']:.1f} MiB |")
            big = r["big"]
            lines.append(f"| one {big['mb']:.0f} MB .rs file, default config (skipped: over max_file_bytes) | "
                         f"{ms(r['capped']['wall'])} | {ms(r['capped']['cpu'])} | {r['capped']['rss']:.1f} MiB |")
            lines.append(f"| one {big['mb']:.0f} MB .rs file, max_file_bytes: 0 (parsed) | {ms(big['wall'])} | "
                         f"{ms(big['cpu'])} | {big['rss']:.1f} MiB |")
            lines.append(f"\nTarget: {r['target']}.")
        elif "crabgate" in r and isinstance(r["crabgate"], dict) and "wall" in r["crabgate"]:
            a, b = r["crabgate"], r["peer"]
            lines.append("| tool | wall (median) | cpu | peak RSS |")
            lines.append("| --- | --- | --- | --- |")
            lines.append(f"| crabgate | {ms(a['wall'])} | {ms(a['cpu'])} | {a['rss']:.1f} MiB |")
            lines.append(f"| {r['peer_name']} | {ms(b['wall'])} | {ms(b['cpu'])} | {b['rss']:.1f} MiB |")
            lines.append(f"\nRatio ({r.get('ratio_label', 'crabgate / peer')}): **{r['ratio']:.2f}x**; "
                         f"target {r['target']}.")
            if "findings" in r:
                lines.append(f"Findings: crabgate {r['findings']['crabgate']}, ast-grep {r['findings']['ast-grep']}.")
        else:
            lines.append("```\n" + json.dumps({k: v for k, v in r.items() if k != "name"}, indent=1) + "\n```")
        lines.append("")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--crabgate", default=os.path.join(ROOT, "build", "crabgate"))
    ap.add_argument("--work", default=os.environ.get("CRABGATE_BENCH_DIR", "/tmp/crabgate-bench"))
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--commits", type=int, default=1000)
    ap.add_argument("--only", default="B1,B2,B3,B4,B5,B6")
    ap.add_argument("--corpus", default="tokio,debian", help="corpora for B1 and B2: tokio, debian or both")
    ap.add_argument("--no-record", action="store_true", help="do not append to bench/RESULTS.md")
    args = ap.parse_args()
    only = set(args.only.upper().split(","))
    os.makedirs(args.work, exist_ok=True)
    crabgate = os.path.abspath(args.crabgate)
    CRABGATE_BIN[:] = [crabgate]
    corpora = [c for c in args.corpus.split(",") if c]
    repos = {c: build_tokio(args.work) if c == "tokio" else build_corpus(args.work) for c in corpora}
    results = []
    for c in corpora:
        if "B1" in only:
            results.append(b1(crabgate, repos[c], args.runs, c))
    for c in corpora:
        if "B2" in only:
            results.append(b2(crabgate, ensure_ast_grep(args.work), repos[c], max(3, args.runs // 2), args.work, c))
    if "B3" in only:
        build_corpus(args.work)
        results.append(b3(crabgate, args.work, max(3, args.runs // 2), args.commits))
    if "B4" in only:
        results.append(b4(crabgate, args.work, args.runs))
    if "B5" in only:
        results.append(b5())
    if "B6" in only:
        results.append(b6(crabgate, args.work, args.runs))
    commit = sh(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).stdout.strip()
    text = render(results, "bench/run.sh " + " ".join(sys.argv[1:]), commit)
    print(text)
    if not args.no_record:
        path = os.path.join(HERE, "RESULTS.md")
        if not os.path.exists(path):
            with open(path, "w") as fh:
                fh.write("# Benchmark results\n\nNewest first. Produced by `bench/run.sh` (see bench/run.py).\n\n")
        with open(path) as fh:
            old = fh.read()
        # Above the newest dated run: the summary of the targets stays at the top.
        head, sep, rest = old.partition("\n## 20")
        with open(path, "w") as fh:
            fh.write(head.rstrip("\n") + "\n\n" + text + "\n" + (("## 20" + rest) if sep else ""))


if __name__ == "__main__":
    main()
