#!/usr/bin/env bash
# Installs what crabgate needs to build and test (the tests' own tools too: no
# test installs anything), fetches the grammars and builds into build/.
# Idempotent: a second run installs and rebuilds nothing.
# Runs as root on Debian (12 or later), without prompts.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${CRABGATE_BUILD_DIR:-$root/build}

packages=(
  build-essential cmake pkg-config git ca-certificates
  libgit2-dev libcurl4-openssl-dev libcjson-dev libyaml-dev libcmocka-dev
  python3 npm time
  # The hook tests: POSIX sh checks, the pre-commit framework; YAML for the action tests.
  dash shellcheck pre-commit python3-yaml
  # The completion and man page tests load the scripts in each shell and render with groff.
  zsh fish groff-base
  # The format lint (tests/lint_format.cmake).
  clang-format
  # The valgrind suite (tests/tools/valgrind-suite.sh); clang for the fuzzers is below.
  valgrind
  # Real Rust crates, used as test and benchmark corpora.
  librust-tokio-dev librust-chrono-dev librust-hyper-dev librust-reqwest-dev
  # The fix compile test builds a crate against those packaged crates, offline.
  rustc cargo
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A machine may have node and npm from elsewhere: do not fight it for npm.
if [[ " ${missing[*]} " == *" npm "* ]] && command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm/}")
fi
if [[ " ${missing[*]} " == *" python3 "* ]] && command -v python3 >/dev/null 2>&1; then
  missing=("${missing[@]/python3/}")
fi
read -r -a missing <<<"${missing[*]}"
if ((${#missing[@]})); then
  echo "crabgate setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The fuzzers (ci/fuzz.sh) need clang's libFuzzer runtime, packaged under two names.
if ! command -v clang >/dev/null 2>&1 || ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
  echo "crabgate setup: installing clang and libFuzzer"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends clang libclang-rt-dev >/dev/null 2>&1 ||
    apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev >/dev/null
fi

# The npm tools the tests validate and drive with (schemas, test servers' data,
# hook managers), at pinned versions under the build folder.
CRABGATE_BUILD_DIR=$build bash "$root/tests/tools/install_forge_tools.sh" --install >/dev/null
CRABGATE_BUILD_DIR=$build bash "$root/tests/tools/install_hook_tools.sh" --install >/dev/null

# Configure once; later runs only build what changed (nothing, usually).
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j "$(nproc)" -- --no-print-directory | grep -v '^\[' || true
test -x "$build/crabgate"
