#!/usr/bin/env bash
# The Node tools the report tests validate with, at pinned versions, in DIR
# (default: $CRABGATE_BUILD_DIR/node). With --install (ci/setup.sh --tests), installs
# them, once: a stamp file names the versions installed, so a second run does
# nothing. Without it (the tests), only checks they are there: no test
# installs anything. Needs only the npm registry; nothing here is ever committed.
#
#   @microsoft/sarif-multitool-linux  ships sarif-2.1.0.json, the official schema
#   ajv + ajv-formats                 validate it (draft 2020-12 build)
set -euo pipefail

install=0
[[ "${1:-}" == --install ]] && { install=1; shift; }
dir="${1:-${CRABGATE_BUILD_DIR:?set CRABGATE_BUILD_DIR or pass a folder}/node}"
pkgs=(
	"@microsoft/sarif-multitool-linux@5.7.0"
	"ajv@8.17.1"
	"ajv-formats@3.0.1"
)
stamp="$dir/.crabgate-node-tools-pins"
want="${pkgs[*]}"

installed() {
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$dir/node_modules/ajv" ] &&
		[ -d "$dir/node_modules/@microsoft/sarif-multitool-linux" ]
}

installed && exit 0
if ((!install)); then
	echo "install_node_tools: the report tests' Node tools are not in $dir; run ci/setup.sh --tests, which installs them" >&2
	exit 1
fi
command -v npm >/dev/null 2>&1 || { echo "install_node_tools: npm is needed (ci/setup.sh --tests installs it)" >&2; exit 1; }
mkdir -p "$dir"
# Concurrent test runs share the folder: one installs, the others wait.
exec 9>"$dir/.node-tools-lock"
flock 9
installed && exit 0
# A private package.json keeps npm from walking up into another project.
[ -f "$dir/package.json" ] || printf '{"name":"crabgate-test-tools","private":true}\n' >"$dir/package.json"
# --ignore-scripts: the multitool's own binary is never run, only its schema read.
npm install --prefix "$dir" --no-audit --no-fund --ignore-scripts --loglevel=error "${pkgs[@]}" >&2
schema="$(find "$dir/node_modules/@microsoft" -name 'sarif-2.1.0.json' -print -quit)"
if [ -z "$schema" ]; then
	echo "install_node_tools: sarif-2.1.0.json not found under $dir/node_modules/@microsoft" >&2
	exit 1
fi
printf '%s' "$want" >"$stamp"
