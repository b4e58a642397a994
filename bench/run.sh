#!/usr/bin/env bash
# Runs every benchmark (B1-B5) after ci/setup.sh --tests; see bench/run.py for options.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec python3 "$here/run.py" "$@"
