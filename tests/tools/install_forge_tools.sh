#!/usr/bin/env bash
# Installs the npm packages the forge test servers need (GitHub's OpenAPI
# description, webhook examples and schemas, ajv) at pinned versions into
# DIR/node_modules, once. Idempotent: a second run with the same pins does
# nothing. Prints DIR. Usage: install_forge_tools.sh [DIR]
# DIR defaults to $CRABGATE_BUILD_DIR/forge-tools (or build/forge-tools).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=${1:-${CRABGATE_BUILD_DIR:-$root/build}/forge-tools}

pins=(
  "@octokit/openapi@23.0.2"
  "@octokit/openapi-webhooks@12.1.0"
  "@octokit/webhooks-examples@7.6.1"
  "ajv@8.20.0"
  "ajv-formats@3.0.1"
)
stamp="$dir/.crabgate-pins"
want=$(printf '%s\n' "${pins[@]}")

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -d "$dir/node_modules/ajv" ]]; then
  echo "$dir"
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "install_forge_tools: npm is needed (ci/setup.sh installs it)" >&2; exit 1; }
mkdir -p "$dir"
# A private package.json keeps npm from walking up into another project.
[[ -f "$dir/package.json" ]] || echo '{"name":"crabgate-forge-tools","private":true}' >"$dir/package.json"
# Concurrent test runs share the folder: one installs, the others wait.
exec 9>"$dir/.lock"
flock 9
if ! [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  (cd "$dir" && npm install --no-audit --no-fund --ignore-scripts --save-exact --loglevel=error "${pins[@]}" >&2)
  printf '%s\n' "$want" >"$stamp"
fi
echo "$dir"
