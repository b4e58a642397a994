#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan + UBSan) and runs each for a
# bounded time: FUZZ_SECONDS (default 60) each, two at a time. Seeds come from
# the test cases and are copied into the build folder, never committed. The
# mutation seed is fixed (FUZZ_SEED, default 1) so CI explores the same inputs
# on every run of the same code; set another seed for exploratory runs. A
# crash leaves its input in <build>/fuzz-artifacts/ and fails the run. Turn
# every crash into a regression test before fixing it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build-fuzz}
grammars=${2:-}
seconds=${FUZZ_SECONDS:-60}

if ! command -v clang >/dev/null 2>&1 || ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
  echo "fuzz: clang with libFuzzer is missing; run ci/setup.sh --tests, which installs it" >&2
  exit 1
fi

args=(-DCRABGATE_FUZZ=ON -DCRABGATE_SANITIZE=ON -DCRABGATE_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo)
[[ -n "$grammars" ]] && args+=("-DCRABGATE_GRAMMAR_CACHE=$grammars")
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  CC=clang cmake -S "$root" -B "$build" "${args[@]}" >/dev/null
fi
cmake --build "$build" -j "$(nproc)" -- --no-print-directory >/dev/null

# Seed corpora from what the tests already exercise.
seed() { # name, then files
  local dir="$build/fuzz-corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do [[ -f "$f" ]] && cp -f "$f" "$dir/$(echo "$f" | md5sum | cut -c1-16)"; done
  return 0
}
mapfile -t rs < <(find "$root/tests/cases" -name '*.rs' | head -400)
mapfile -t toml < <(find "$root/tests/cases" \( -name 'Cargo.toml' -o -name 'Cargo.lock' \) | head -400)
mapfile -t yaml < <(find "$root" -maxdepth 1 -name '*.yaml'; find "$root/tests/cases" -name 'config.yaml' | head -200)
seed fuzz_rules_rust "${rs[@]}"
seed fuzz_rules_manifest "${toml[@]}"
seed fuzz_config "${yaml[@]}"
mkdir -p "$build/fuzz-corpus/fuzz_diff"
git -C "$root" log -p -n 30 --format= > "$build/fuzz-corpus/fuzz_diff/history.diff" 2>/dev/null || true
# Real index files, versions 2 to 4 (4 compresses paths), with a cache-tree extension.
idx="$build/fuzz-corpus/fuzz_index_file" seedrepo="$build/fuzz-index-repo"
rm -rf "$seedrepo" && mkdir -p "$idx" "$seedrepo/src/a" && git init -q "$seedrepo"
printf 'fn main() {}\n' >"$seedrepo/src/main.rs"; printf 'x\n' >"$seedrepo/src/a/b.rs"; printf '[package]\n' >"$seedrepo/Cargo.toml"
git -C "$seedrepo" add -A && git -C "$seedrepo" write-tree >/dev/null
for v in 2 3 4; do
  git -C "$seedrepo" update-index --index-version "$v" && cp -f "$seedrepo/.git/index" "$idx/v$v"
done
python3 "$root/tests/fuzz/seeds/hostile.py" "$build/fuzz-corpus"
for dir in "$root"/tests/fuzz/seeds/*/; do
  [[ -d "$dir" ]] && mkdir -p "$build/fuzz-corpus/$(basename "$dir")" && cp -f "$dir"* "$build/fuzz-corpus/$(basename "$dir")/"
done

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=87
mkdir -p "$build/fuzz-artifacts"
status=0
pids=()
names=()
for exe in "$build"/tests/fuzz/fuzz_*; do
  [[ -x "$exe" ]] || continue
  name=$(basename "$exe")
  mkdir -p "$build/fuzz-corpus/$name"
  # The Rust and TOML harnesses take the hostile seeds (up to 300 KB) whole; a parse may
  # run its full budget (1 s + 5 us a byte, x4 under ASan: 11 s at 512 KB), twice for
  # the manifest harness (Cargo.toml and Cargo.lock).
  max_len=262144 timeout=10
  case "$name" in fuzz_rules_rust | fuzz_rules_manifest) max_len=524288 timeout=60 ;; esac
  "$exe" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 -max_len="$max_len" \
    -artifact_prefix="$build/fuzz-artifacts/$name-" -print_final_stats=1 \
    "$build/fuzz-corpus/$name" >"$build/fuzz-artifacts/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
  if ((${#pids[@]} >= $(nproc))); then
    if ! wait "${pids[0]}"; then echo "fuzz: ${names[0]} FAILED (see $build/fuzz-artifacts/${names[0]}.log)"; tail -40 "$build/fuzz-artifacts/${names[0]}.log"; status=1; else echo "fuzz: ${names[0]} ok ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/fuzz-artifacts/${names[0]}.log" | grep -o '[0-9]*$') runs)"; fi
    pids=("${pids[@]:1}")
    names=("${names[@]:1}")
  fi
done
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then echo "fuzz: ${names[$i]} FAILED (see $build/fuzz-artifacts/${names[$i]}.log)"; tail -40 "$build/fuzz-artifacts/${names[$i]}.log"; status=1; else echo "fuzz: ${names[$i]} ok ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/fuzz-artifacts/${names[$i]}.log" | grep -o '[0-9]*$') runs)"; fi
done
exit $status
