#!/usr/bin/env bash
# The hook managers the hook tests drive, at pinned versions, in
# DIR/node_modules; prints DIR. With --install (ci/setup.sh --tests), installs them,
# once: a stamp names the pins installed, so a second run does nothing.
# Without it (the tests), only checks they are there: no test installs
# anything. Needs only the npm registry; nothing here is ever committed.
#
#   lefthook  its npm package ships the lefthook binary (lefthook-linux-x64)
#   husky     plain shell and JavaScript; it runs offline once installed
#
# --ignore-scripts: lefthook's postinstall would install hooks into whatever
# repository the folder sits in (the crabgate checkout itself); the tests run
# `lefthook install` in their own sandbox repositories instead.
# Usage: install_hook_tools.sh [--install] [DIR]   (default $CRABGATE_BUILD_DIR/hook-tools)
set -euo pipefail

install=0
[[ "${1:-}" == --install ]] && { install=1; shift; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${1:-${CRABGATE_BUILD_DIR:-$here/../../build}/hook-tools}
pins=(
  "lefthook@2.2.2"
  "husky@9.1.7"
)
stamp="$dir/.crabgate-hook-pins"
want=$(printf '%s\n' "${pins[@]}")

mkdir -p "$dir"
# Concurrent test runs share the folder: one installs, the others wait.
exec 9>"$dir/.lock"
flock 9
if ! [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -d "$dir/node_modules/lefthook" && -d "$dir/node_modules/husky" ]]; then
  if ((!install)); then
    echo "install_hook_tools: lefthook and husky are not in $dir; run ci/setup.sh --tests, which installs them" >&2
    exit 1
  fi
  command -v npm >/dev/null 2>&1 || { echo "install_hook_tools: npm is needed (ci/setup.sh --tests installs it)" >&2; exit 1; }
  # A private package.json keeps npm from walking up into another project.
  [[ -f "$dir/package.json" ]] || echo '{"name":"crabgate-hook-tools","private":true}' >"$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --ignore-scripts --loglevel=error "${pins[@]}" >&2
  printf '%s\n' "${pins[@]}" >"$stamp"
fi
echo "$dir"
