#!/usr/bin/env bash
# Installs what building and running crabgate need, fetches the grammars and
# builds into build/ (Release). With --tests it also installs what only the
# test suite needs (Debian packages, clang's libFuzzer, the pinned npm tools:
# no test installs anything) and builds the tests.
# Idempotent: a second run installs and rebuilds nothing. Prints a line per
# step with the time it took; --quiet prints nothing but errors.
# Runs as root on Debian (12 or later), without prompts.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${CRABGATE_BUILD_DIR:-$root/build}
# Where the grammars are (or go): the environment's choice, else the build
# folder's, else cmake's default.
grammars=${CRABGATE_GRAMMAR_CACHE:-$(sed -n 's/^CRABGATE_GRAMMAR_CACHE:PATH=//p' "$build/CMakeCache.txt" 2>/dev/null || true)}
grammars=${grammars:-$build/grammars}

quiet=0 tests=0
for arg in "$@"; do
  case $arg in
    -q | --quiet) quiet=1 ;;
    --tests) tests=1 ;;
    *)
      echo "usage: ci/setup.sh [--tests] [--quiet]" >&2
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

# Building and running: the compiler, cmake and the -dev packages of the
# libraries crabgate links (their runtime packages come with them).
packages=(
  build-essential cmake pkg-config git ca-certificates
  libgit2-dev libcurl4-openssl-dev libcjson-dev libyaml-dev
)
# npm fetches the tree-sitter runtime and grammars (cmake/grammars.cmake), and
# only when they are not cached yet: a warm grammar cache needs no node at all.
grammars_cached() {
  local g
  for g in runtime rust toml; do
    compgen -G "$grammars/$g/.crabgate-*" >/dev/null || return 1
  done
}
grammars_cached || packages+=(npm)
# Only the test suite.
test_packages=(
  libcmocka-dev python3 npm time
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
((!tests)) || packages+=("${test_packages[@]}")

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

if ((tests)); then
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
  # npm's own chatter ("added 7 packages") is shown only when it fails.
  npm_tools() {
    local out
    if ! out=$(CRABGATE_BUILD_DIR=$build bash "$root/tests/tools/$1" --install 2>&1); then
      printf '%s\n' "$out" >&2
      return 1
    fi
  }
  step "npm tools for the forge tests" npm_tools install_forge_tools.sh
  step "npm tools for the hook tests" npm_tools install_hook_tools.sh
fi

# Configure once; later runs only build what changed (nothing, usually).
configure() {
  local want=OFF
  ((!tests)) || want=ON
  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    say "configured (grammars fetched unless cached, tests $want)"
    cmake -S "$root" -B "$build" -DCRABGATE_GRAMMAR_CACHE="$grammars" -DCRABGATE_TESTS=$want >/dev/null
  elif ((tests)) && ! grep -q '^CRABGATE_TESTS:BOOL=ON' "$build/CMakeCache.txt"; then
    # A build folder the first command made: add the tests to it.
    say "tests turned on"
    cmake -S "$root" -B "$build" -DCRABGATE_TESTS=ON >/dev/null
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
