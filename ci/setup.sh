#!/usr/bin/env bash
# Installs what crabgate needs to build and test (the tests' own tools too: no
# test installs anything), fetches the grammars and builds into build/.
# Idempotent: a second run installs and rebuilds nothing. Prints a line per
# step with the time it took; --quiet prints nothing but errors.
# Runs as root on Debian (12 or later), without prompts.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${CRABGATE_BUILD_DIR:-$root/build}

quiet=0
for arg in "$@"; do
  case $arg in
    -q | --quiet) quiet=1 ;;
    *)
      echo "usage: ci/setup.sh [--quiet]" >&2
      exit 2
      ;;
  esac
done

# Runs one step and prints a line naming it and the time it took, so a slow
# set-up says where the time goes (--quiet: nothing). `say` adds to the line.
said=
say() { said=$*; }
step() {
  local what=$1 start=${EPOCHREALTIME/./} ms
  shift
  said=
  "$@"
  ms=$(((${EPOCHREALTIME/./} - start) / 1000))
  if ((!quiet)); then
    printf 'crabgate setup: %s%s (%d.%01ds)\n' "$what" "${said:+: $said}" $((ms / 1000)) $((ms % 1000 / 100))
  fi
}

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
install_packages() {
  if ((${#missing[@]})); then
    say "${#missing[@]} installed (${missing[*]})"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "all ${#packages[@]} present"
  fi
}
step "Debian packages" install_packages

# The fuzzers (ci/fuzz.sh) need clang's libFuzzer runtime, packaged under two names.
install_fuzzer() {
  if ! command -v clang >/dev/null 2>&1 || ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
    say "installed"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends clang libclang-rt-dev >/dev/null 2>&1 ||
      apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev >/dev/null
  else
    say "present"
  fi
}
step "clang and libFuzzer" install_fuzzer

# The npm tools the tests validate and drive with (schemas, test servers' data,
# hook managers), at pinned versions under the build folder.
npm_tools() { CRABGATE_BUILD_DIR=$build bash "$root/tests/tools/$1" --install >/dev/null; }
step "npm tools for the forge tests" npm_tools install_forge_tools.sh
step "npm tools for the hook tests" npm_tools install_hook_tools.sh

# Configure once; later runs only build what changed (nothing, usually).
configure() {
  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    say "configured (grammars fetched unless cached)"
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  else
    say "already configured"
  fi
}
step "cmake" configure
build_crabgate() {
  cmake --build "$build" -j "$(nproc)" -- --no-print-directory | grep -v '^\[' || true
  test -x "$build/crabgate"
}
step "build into ${build#"$root"/}" build_crabgate
