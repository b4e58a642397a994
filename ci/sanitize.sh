#!/usr/bin/env bash
# Builds crabgate with ASan + UBSan in its own folder and runs the whole suite
# there. Called by the `sanitizer_suite` test of the normal build.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build-asan}
grammars=${2:-}

args=(-DCRABGATE_SANITIZE=ON -DCRABGATE_SANITIZER_SUITE=OFF -DCMAKE_BUILD_TYPE=Debug)
[[ -n "$grammars" ]] && args+=("-DCRABGATE_GRAMMAR_CACHE=$grammars")
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" "${args[@]}" >/dev/null
fi
cmake --build "$build" -j "$(nproc)" -- --no-print-directory >/dev/null
# The tests' npm tools are installed by ci/setup.sh --tests in the normal build folder
# (CRABGATE_TEST_TOOLS, set by the sanitizer_suite test); tests install nothing.
tools=${CRABGATE_TEST_TOOLS:-$root/build}
for d in node hook-tools; do
  if [[ -d "$tools/$d" && ! -e "$build/$d" ]]; then ln -s "$tools/$d" "$build/$d"; fi
done
# Exit statuses no crabgate status uses, so a sanitizer report can never pass for
# "findings" (1) in a test that expects them.
# allocator_may_return_null: an allocation past what the machine has returns NULL, as
# glibc's malloc does (libgit2 asks for the size a damaged object's header claims).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=1:allocator_may_return_null=1:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=87
export LSAN_OPTIONS=suppressions=$root/ci/lsan.supp:print_suppressions=0
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
