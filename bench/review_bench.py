#!/usr/bin/env python3
"""B5: the model review's concurrency and cache, against the local model server.

A change of 20 files, each one chunk (review.max_input_tokens is set so that no
two files share a request), reviewed through tests/servers/model_server.py on
127.0.0.1 answering every request after 200 ms, with review.max_concurrency 4.
The ideal is 20 / 4 x 200 ms = 1.0 s of review; measured are:

  span      first request's arrival to last answer's end, at the server
  wall      the whole `crabgate check --review` process
  baseline  the same check with --no-review (the rules, git, reports)
  rerun     the same check again: requests sent (the cache should answer all)
            and its wall time

Medians of --runs runs (each on a fresh cache). Prints a table; with --json the
last line is one JSON object (bench/run.py's B5 reads it) and RESULTS.md is left
alone; otherwise the figures are added to bench/RESULTS.md under their own
heading, other sections untouched.

  python3 bench/review_bench.py [--crabgate build/crabgate] [--runs 5] [--json]
"""
import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SERVER = os.path.join(ROOT, "tests", "servers", "model_server.py")
HEADING = "## B5 model review (bench/review_bench.py)"
CHUNKS, IN_FLIGHT, DELAY_MS = 20, 4, 200
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def control(base, what, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + "/_control/" + what, data=data, method="POST" if data else "GET")
    with NO_PROXY.open(req, timeout=30) as r:
        return json.loads(r.read())


def git(repo, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
               GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.invalid", HOME=repo)
    subprocess.run(["git", "-C", repo, *args], env=env, check=True, capture_output=True)


def make_repo(base_url):
    repo = tempfile.mkdtemp(prefix="crabgate-review-bench-")
    git(repo, "init", "-q", "-b", "main")
    with open(os.path.join(repo, "STANDARDS.md"), "w") as f:
        f.write("Use jiff, never chrono. Bounded channels only.\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    with open(os.path.join(repo, ".git", "info", "exclude"), "w") as f:
        f.write(".crabgate.yaml\n")
    with open(os.path.join(repo, ".crabgate.yaml"), "w") as f:
        f.write("review:\n  provider: openai\n  base_url: \"%s/v1\"\n  api_key_env: BENCH_KEY\n"
                "  standards_file: STANDARDS.md\n  max_concurrency: %d\n  max_input_tokens: 900\n"
                "  max_retries: 0\n" % (base_url, IN_FLIGHT))
    for i in range(CHUNKS):
        os.makedirs(os.path.join(repo, "src"), exist_ok=True)
        with open(os.path.join(repo, "src", "m%02d.rs" % i), "w") as f:
            f.write("".join("pub fn item_%d_%d() -> u32 {\n    %d\n}\n" % (i, j, j) for j in range(10)))
    git(repo, "add", "-A")
    return repo


def check(crabgate, repo, *args):
    env = dict(os.environ, BENCH_KEY="sk-bench-0000000000000000", NO_PROXY="*", no_proxy="*",
               OPENAI_API_KEY="", ANTHROPIC_API_KEY="", CRABGATE_REVIEW_BASE_URL="")
    t0 = time.perf_counter()
    r = subprocess.run([crabgate, "check", *args, "--format", "json"], cwd=repo, env=env, capture_output=True,
                       text=True)
    wall = time.perf_counter() - t0
    if r.returncode not in (0, 1):
        raise SystemExit("crabgate exited %d:\n%s" % (r.returncode, r.stderr[-2000:]))
    return wall


def run_once(crabgate, base):
    repo = make_repo(base)
    try:
        baseline = check(crabgate, repo, "--no-review")
        control(base, "reset", {})
        wall = check(crabgate, repo, "--review")
        reqs = control(base, "requests")
        stats = control(base, "stats")
        span = max(r["finished"] for r in reqs) - min(r["arrived"] for r in reqs) if reqs else 0.0
        control(base, "reset", {})
        rerun_wall = check(crabgate, repo, "--review")
        rerun_requests = control(base, "stats")["count"]
        return {"requests": len(reqs), "max_in_flight": stats["max_in_flight"], "span": span, "wall": wall,
                "baseline": baseline, "rerun_requests": rerun_requests, "rerun_wall": rerun_wall}
    finally:
        shutil.rmtree(repo, ignore_errors=True)


def record(result, commit):
    path = os.path.join(HERE, "RESULTS.md")
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write("# Benchmark results\n\nNewest first. Produced by `bench/run.sh` (see bench/run.py).\n\n")
    with open(path) as f:
        text = f.read()
    row = ("| %s | %s | %d | %d/%d | %.0f ms | %.0f ms | %.2fx | %.0f ms | %.0f ms | %d | %.0f ms |" % (
        datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"), commit, result["requests"],
        result["max_in_flight"], IN_FLIGHT, result["span_s"] * 1000, result["ideal_s"] * 1000, result["ratio"],
        result["wall_s"] * 1000, result["baseline_wall_s"] * 1000, result["rerun_requests"],
        result["rerun_wall_s"] * 1000))
    if HEADING not in text:
        text = text.rstrip("\n") + "\n\n" + HEADING + "\n\n" + (
            "20 chunks against tests/servers/model_server.py answering after 200 ms, max_concurrency 4: the "
            "ideal review span is 5 x 200 ms. span: first request in to last answer out, at the server; "
            "wall: the whole `check --review`; baseline: `check --no-review`; rerun: requests the second "
            "run sent (the cache answers). Medians.\n\n"
            "| date | commit | requests | max in flight | span | ideal | span/ideal | wall | baseline | rerun "
            "requests | rerun wall |\n"
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n") + row + "\n"
    else:
        start = text.index(HEADING)
        nxt = text.find("\n## ", start + len(HEADING))
        section = text[start:] if nxt < 0 else text[start:nxt + 1]
        new = section.rstrip("\n") + "\n" + row + "\n"
        text = text[:start] + new + ("" if nxt < 0 else text[nxt + 1:])
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--crabgate", default=os.environ.get("CRABGATE_BIN", os.path.join(ROOT, "build", "crabgate")))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="print one JSON line; do not touch RESULTS.md")
    args = ap.parse_args()
    crabgate = os.path.abspath(args.crabgate)
    srv = subprocess.Popen([sys.executable, SERVER], stdout=subprocess.PIPE, text=True)
    try:
        port = int(srv.stdout.readline().split()[1])
        base = "http://127.0.0.1:%d" % port
        control(base, "scenario", {"default": {"mode": "normal", "delay_ms": DELAY_MS}})
        runs = [run_once(crabgate, base) for _ in range(args.runs)]
    finally:
        srv.terminate()
        srv.wait(timeout=10)
        srv.stdout.close()
    med = lambda k: statistics.median(r[k] for r in runs)  # noqa: E731
    ideal = CHUNKS / IN_FLIGHT * DELAY_MS / 1000.0
    result = {"requests": max(r["requests"] for r in runs), "max_in_flight": max(r["max_in_flight"] for r in runs),
              "span_s": med("span"), "ideal_s": ideal, "ratio": med("span") / ideal, "wall_s": med("wall"),
              "baseline_wall_s": med("baseline"), "rerun_requests": max(r["rerun_requests"] for r in runs),
              "rerun_wall_s": med("rerun_wall")}
    if result["requests"] != CHUNKS:
        print("warning: %d requests, not %d: the chunking changed; adjust max_input_tokens" % (
            result["requests"], CHUNKS), file=sys.stderr)
    if args.json:
        print(json.dumps(result))
        return
    print("requests %d, max in flight %d of %d" % (result["requests"], result["max_in_flight"], IN_FLIGHT))
    print("review span %.0f ms (ideal %.0f ms, %.2fx); process wall %.0f ms; --no-review %.0f ms" % (
        result["span_s"] * 1000, ideal * 1000, result["ratio"], result["wall_s"] * 1000,
        result["baseline_wall_s"] * 1000))
    print("re-run: %d requests, %.0f ms" % (result["rerun_requests"], result["rerun_wall_s"] * 1000))
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    record(result, commit)
    print("recorded in bench/RESULTS.md")


if __name__ == "__main__":
    main()
