#!/usr/bin/env bash
# Lays out the real-code corpora of the precision sample in $PREC (default
# /tmp/prec, never inside the repository) and writes the findings of
# wasm-unsafe-std and unbounded-channel, one a line, to $PREC/findings.tsv:
#   corpus  path  line  rule  message
# Usage: bench/precision/findings.sh BUILD/crabgate
# (OUT=name.tsv, MIRRORS="owner+name …" and DEBIAN="dir …" narrow a run)
# Corpora: the tokio bundle in shared/corpora, the Debian crate sources under
# /usr/share/cargo/registry (one crate per repository), and public repositories
# fetched beforehand as bare mirrors under /work/.mirror (see README.md).
set -euo pipefail
bin=$(realpath "$1")
prec=${PREC:-/tmp/prec}
mkdir -p "$prec/runs"
out=$prec/${OUT:-findings.tsv}
: >"$out"

commit_tree() { # dir: make it a repository holding its files as one commit
	[ -d "$1/.git" ] && return 0
	git -C "$1" init -q && git -C "$1" add -A &&
		git -C "$1" -c user.name=p -c user.email=p@p commit -qm corpus --no-gpg-sign
}

run_one() { # corpus-name repository-dir
	local json=$prec/runs/${1////_}.json
	(cd "$2" && "$bin" check --all --filter all --format json --fail-level never >"$json" 2>"${json%.json}.err") || true
	python3 - "$1" "$json" >>"$out" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
for f in json.load(open(path)).get("findings", []):
    if f["rule"] in ("wasm-unsafe-std", "unbounded-channel"):
        print("\t".join([name, f["path"], str(f["line"]), f["rule"], f["message"].replace("\t", " ")]))
PY
}

if [ -z "${MIRRORS:-}" ]; then
[ -d "$prec/tokio" ] || git clone -q /work/shared/corpora/tokio.bundle "$prec/tokio"
run_one tokio "$prec/tokio"
fi
for m in ${MIRRORS:-leptos-rs+leptos yewstack+yew krustlet+krustlet pando85+kaniop emilk+egui libp2p+rust-libp2p sycamore-rs+sycamore iced-rs+iced}; do
	n=${m#*+}
	[ -d "$prec/$n" ] || git clone -q "/work/.mirror/$m/repo" "$prec/$n"
	run_one "$n" "$prec/$n"
done
mkdir -p "$prec/debian"
for d in ${DEBIAN:-/usr/share/cargo/registry/*/}; do
	[ -d "$d" ] || continue
	n=$(basename "$d")
	[ -d "$prec/debian/$n" ] || { cp -r "$d" "$prec/debian/$n" && commit_tree "$prec/debian/$n"; }
	run_one "debian/$n" "$prec/debian/$n"
done
cut -f1,4 "$out" | sort | uniq -c | sort -rn >&2
