#!/usr/bin/env bash
# Every wasm-unsafe-std finding a build makes over the real-code corpora, one
# a line: corpus, path, line, message (tab-separated) on standard output.
# Usage: bench/precision/wasm_findings.sh BUILD/crabgate > findings.tsv
# Corpora (read-only, never committed; see README.md): the same_findings
# layout of the tokio bundle and of Debian's crate sources ($SAME, default
# /tmp/cg-same: tokio/, debian/) and the public repositories cloned under
# $CORP (default /tmp/corp). The rule is off by default: --rule runs it alone.
set -euo pipefail
bin=$(realpath "$1")
same=${SAME:-/tmp/cg-same}
corp=${CORP:-/tmp/corp}
for dir in "$same/tokio" "$same/debian" "$corp"/*/; do
	dir=${dir%/}
	[ -d "$dir/.git" ] || continue
	(cd "$dir" && "$bin" check --all --filter all --format json --fail-level never \
		--rule wasm-unsafe-std 2>/dev/null || true) | python3 -c '
import json, sys
try:
    report = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
for f in report.get("findings", []):
    if f["rule"] == "wasm-unsafe-std":
        print("\t".join([sys.argv[1], f["path"], str(f["line"]), f["message"].replace("\t", " ")]))
' "$(basename "$dir")"
done
