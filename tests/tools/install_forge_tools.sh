#!/usr/bin/env bash
# The npm packages the forge test servers need, at pinned versions, in
# DIR/node_modules; prints DIR. With --install (ci/setup.sh --tests), installs them,
# once: a stamp names the pins installed, so a second run does nothing.
# Without it (the tests), only checks they are there: no test installs anything.
#
#   @octokit/openapi             GitHub's OpenAPI description (requests are validated against it)
#   @octokit/openapi-webhooks    the webhook payload schemas (event files are validated against them)
#   @octokit/webhooks-examples   real webhook payloads the event files are built from
#   ajv, ajv-formats             the validator
#
# ajv comes from tests/tools/install_node_tools.sh (the report tests' Node
# tools) when that script exists, so the suite holds one node_modules and one
# ajv; otherwise it is installed here. Nothing here is ever committed.
# Usage: install_forge_tools.sh [--install] [DIR]   (default $CRABGATE_BUILD_DIR/node)
set -euo pipefail

install=()
[[ "${1:-}" == --install ]] && { install=(--install); shift; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${1:-${CRABGATE_BUILD_DIR:-$here/../../build}/node}

pins=(
  "@octokit/openapi@23.0.2"
  "@octokit/openapi-webhooks@12.1.0"
  "@octokit/webhooks-examples@7.6.1"
)
[[ -f "$here/install_node_tools.sh" ]] || pins+=("ajv@8.17.1" "ajv-formats@3.0.1")
stamp="$dir/.crabgate-forge-pins"
want=$(printf '%s\n' "${pins[@]}")

mkdir -p "$dir"
# Concurrent test runs share the folder: one installs, the others wait.
exec 9>"$dir/.forge-lock"
flock 9
if [[ -f "$here/install_node_tools.sh" ]]; then
  bash "$here/install_node_tools.sh" "${install[@]}" "$dir" >&2
fi
if ! [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -d "$dir/node_modules/@octokit/openapi" ]]; then
  if ((!${#install[@]})); then
    echo "install_forge_tools: the forge test servers' npm packages are not in $dir; run ci/setup.sh --tests, which installs them" >&2
    exit 1
  fi
  command -v npm >/dev/null 2>&1 || { echo "install_forge_tools: npm is needed (ci/setup.sh --tests installs it)" >&2; exit 1; }
  # A private package.json keeps npm from walking up into another project.
  [[ -f "$dir/package.json" ]] || echo '{"name":"crabgate-test-tools","private":true}' >"$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --ignore-scripts --loglevel=error "${pins[@]}" >&2
  printf '%s\n' "${pins[@]}" >"$stamp"
fi
[[ -d "$dir/node_modules/ajv" ]] || { echo "install_forge_tools: ajv is missing under $dir/node_modules" >&2; exit 1; }
echo "$dir"
