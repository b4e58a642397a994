#!/usr/bin/env bash
# Lays out the real-code corpora of the precision sample in $PREC (default
# /tmp/prec, never inside the repository) and writes the findings of
# wasm-unsafe-std and unbounded-channel, one a line, to $PREC/findings.tsv:
#   corpus  path  line  rule  message
# Usage: bench/precision/findings.sh BUILD/crabgate
# (OUT=name.tsv, MIRRORS="owner+name …" and DEBIAN="dir …" narrow a run)
# Corpora: the tokio bundle in shared/corpora, the Debian crate sources under
# /usr/share/cargo/registry (one crate per repository), and public repositories
# cloned beforehand under $CORP (default /tmp/corp) or fetched as bare mirrors
# under /work/.mirror (see README.md). Both rules are off by default: --rule
# runs them (and only them).
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
	(cd "$2" && "$bin" check --all --filter all --format json --fail-level never \
		--rule wasm-unsafe-std --rule unbounded-channel >"$json" 2>"${json%.json}.err") || true
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
corp=${CORP:-/tmp/corp}
for m in ${MIRRORS:-leptos-rs+leptos yewstack+yew krustlet+krustlet pando85+kaniop emilk+egui libp2p+rust-libp2p sycamore-rs+sycamore iced-rs+iced tokio-rs+axum launchbadge+sqlx LemmyNet+lemmy hyperium+tonic seanmonstar+reqwest tokio-rs+tracing rust-lang+rust-analyzer}; do
	n=${m#*+}
	src=$corp/$n
	[ -d "$src" ] || src=/work/.mirror/$m/repo
	[ -d "$src" ] || { echo "no $n: skipped" >&2; continue; }
	# A mirror missing large blobs (tonic) checks out partly; what is there is checked.
	[ -d "$prec/$n" ] || git clone -q "$src" "$prec/$n" || [ -d "$prec/$n/.git" ]
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
