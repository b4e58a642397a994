#!/usr/bin/env python3
"""Draws the every-rule precision sample from all_rules.sh's findings and
joins it with the verdicts already written in all_rules.tsv.

Usage: sample_all.py $SAMPLE/all_findings.tsv [LABELS.tsv] > all_rules.tsv
The draw is deterministic (seed 19, findings sorted first): a rule with at
most N findings is read whole, else N are drawn at random (N below).
blocking-in-async is drawn per severity (errors, warnings). missing-bench is
drawn from the corpora other than tokio: its tokio findings were read in
missing_bench.tsv. A drawn finding without a verdict in LABELS comes out
`unlabelled`. Prints findings, read, right, wrong and precision per rule on
standard error.
"""
import random
import sys

N = {"chrono-ban": 60, "no-mocks": 40, "blocking-in-async/error": 40, "blocking-in-async/warning": 40,
     "missing-bench": 40, "missing-memory-files": 80, "thiserror-errors": 40, "allow-without-reason": 40}


def group(rule, severity):
    return f"{rule}/{severity}" if rule == "blocking-in-async" else rule


findings = {}
for row in open(sys.argv[1]):
    f = row.rstrip("\n").split("\t")
    findings.setdefault(group(f[3], f[4]), []).append((f[0], f[1], int(f[2]), f[3], f[4]))

labels = {}
extra = []
if len(sys.argv) > 2:
    for row in open(sys.argv[2]):
        f = row.rstrip("\n").split("\t")
        if f[0] != "corpus" and len(f) >= 7:
            labels[(f[0], f[1], int(f[2]), f[3], f[4])] = f[5:]
        elif f[0] == "corpus":
            extra = f[7:]  # later builds' verdicts, carried over as they are

print("\t".join(["corpus", "path", "line", "rule", "severity", "verdict", "why"] + extra))
stats = []
for g in sorted(findings):
    pool = sorted(set(findings[g]))
    if g == "missing-bench":
        pool = [k for k in pool if k[0] != "tokio"]
    n = N.get(g, 40)
    drawn = pool if len(pool) <= n else random.Random(19).sample(pool, n)
    right = wrong = 0
    for k in sorted(drawn):
        v, why, *later = labels.get(k, ["unlabelled", ""] + [""] * len(extra))
        right += v == "right"
        wrong += v == "wrong"
        print("\t".join([k[0], k[1], str(k[2]), k[3], k[4], v, why] + later))
    read = right + wrong
    stats.append((g, len(findings[g]), read, right, wrong, f"{100.0 * right / read:.0f}%" if read else "-"))
for s in stats:
    print("\t".join(map(str, s)), file=sys.stderr)
