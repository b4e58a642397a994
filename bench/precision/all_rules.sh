#!/usr/bin/env bash
# Writes every finding of every rule but wasm-unsafe-std and unbounded-channel
# (sampled apart, see README.md) over the real-code corpora to
# $SAMPLE/all_findings.tsv, one a line:
#   corpus  path  line  rule  severity  message
# Usage: bench/precision/all_rules.sh BUILD/crabgate
# $SAMPLE defaults to /tmp/sample (never inside the repository). Corpora: the
# tokio bundle of shared/corpora (cloned into $SAMPLE/tokio), the Debian crate
# sources as bench/same_findings.py lays them out ($DEBIAN, default
# /tmp/cg-same/debian) and the read-only clones under $CORP (default /tmp/corp).
# CORPORA="name=dir …" replaces that list (the fresh-repository draw of
# 2026-12-04: see README.md).
set -euo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
sample=${SAMPLE:-/tmp/sample}
corp=${CORP:-/tmp/corp}
mkdir -p "$sample/runs"
out=$sample/all_findings.tsv
: >"$out"

run_one() { # corpus-name repository-dir
	local json=$sample/runs/$1.json
	(cd "$2" && "$bin" --config "$here/all_rules.yaml" \
		check --all --filter all --format json --fail-level never >"$json" 2>"${json%.json}.err") || true
	python3 - "$1" "$json" >>"$out" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
for f in json.load(open(path)).get("findings", []):
    if f["rule"] not in ("wasm-unsafe-std", "unbounded-channel"):
        msg = f["message"].replace("\t", " ").replace("\n", " ")
        print("\t".join([name, f["path"], str(f["line"]), f["rule"], f["severity"], msg]))
PY
}

if [ -n "${CORPORA:-}" ]; then
	for c in $CORPORA; do
		run_one "${c%%=*}" "${c#*=}"
	done
else
	[ -d "$sample/tokio" ] || git clone -q /work/shared/corpora/tokio.bundle "$sample/tokio"
	run_one tokio "$sample/tokio"
	run_one debian "${DEBIAN:-/tmp/cg-same/debian}"
	for n in axum tonic sqlx reqwest lemmy krustlet leptos tracing rust-analyzer egui iced yew sycamore rust-libp2p; do
		run_one "$n" "$corp/$n"
	done
fi
cut -f1,4,5 "$out" | sort | uniq -c | sort -k3,4 >&2
