#!/usr/bin/env python3
"""Re-reads a labelled sample of blocking-in-async findings against a build.

    bench/precision/recheck.py SAMPLE.tsv CRABGATE corpus=ROOT ...

For each row of SAMPLE.tsv (corpus, path, line, ..., verdict, ...) it prints the
verdict given then, whether the build still reports a blocking-in-async finding
at that line, and the end of its message now: a person reads the changed ones
again (a wrong finding that is still reported may now suggest something
valid). Each corpus is checked only on the sample's files.
"""
import collections
import csv
import json
import os
import subprocess
import sys


def main():
    sample, crabgate = sys.argv[1], os.path.abspath(sys.argv[2])
    roots = dict(a.split("=", 1) for a in sys.argv[3:])
    rows = list(csv.DictReader(open(sample), delimiter="\t"))
    paths = collections.defaultdict(set)
    for r in rows:
        paths[r["corpus"]].add(r["path"])
    found = {}
    for corpus, ps in paths.items():
        out = subprocess.run([crabgate, "check", "--no-cache", "--all", "--filter", "all", "--format", "json",
                              "--fail-level", "never", "--", *sorted(ps)], cwd=roots[corpus],
                             capture_output=True, text=True, check=True).stdout
        for f in json.loads(out)["findings"]:
            if f["rule"] == "blocking-in-async":
                found[(corpus, f["path"], f["line"])] = f
    for r in rows:
        f = found.get((r["corpus"], r["path"], int(r["line"])))
        print("\t".join([r["verdict"], "reported" if f else "gone", r["corpus"], r["path"], r["line"],
                         f["message"] if f else ""]))


if __name__ == "__main__":
    main()
