#!/usr/bin/env bash
# The `valgrind_suite` ctest test: integration tests with crabgate under
# valgrind memcheck (tests/tools/valgrind-crabgate as CRABGATE_BIN). Any
# memcheck error or definite leak makes crabgate exit 88, which no test
# expects, so the test that ran it fails and prints valgrind's report.
#
#   tests/tools/valgrind-suite.sh CRABGATE_BINARY BUILD_DIR
#
# CRABGATE_BINARY must be built without sanitizers. Tests run two at a time
# (ctest runs this test alone: RUN_SERIAL); logs land in BUILD_DIR/valgrind/.
#
# Which tests, and why (memcheck makes crabgate 20-50 times slower; the
# whole list takes about 9 minutes of CPU on the CI's two cores):
#   test_cli         every change source (staged, range, base, diff, all),
#                    exit statuses, config errors, reports to files
#   test_bad_input   every bad-input path: the error exits free what they
#                    took, the 50 MB file, deep nesting, damaged repositories
#   test_review      libcurl multi, chunking, retries, the cache, redaction
#   test_memory      libgit2 commits and pushes, local and smart HTTP
#   test_ci_github, test_ci_gitlab
#                    the forges: paging, posting, fallbacks, memory in CI
#   test_secrets     review + ci + memory together, TLS refusals
#   test_reports, test_shard, test_init_memory
#                    every reporter, merge, init (cheap)
# Left out: test_faults (its one-second timeouts would trip on valgrind's
# slowness, and its HTTP paths are test_review's and the ci tests'), the
# corpus tests (thousands of real crate files: hours under memcheck; the
# rule pass they drive is covered by test_cli and test_bad_input, and by
# the ASan suite and the fuzzers), test_hooks and test_action (they drive
# git, pre-commit and shell; crabgate's part in them is `check`, covered
# above). The unit tests run under ASan + UBSan in `sanitizer_suite`.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${1:?usage: valgrind-suite.sh CRABGATE_BINARY BUILD_DIR}
build=${2:?usage: valgrind-suite.sh CRABGATE_BINARY BUILD_DIR}

if ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind-suite: valgrind is missing; run ci/setup.sh --tests, which installs it" >&2
  exit 1
fi

tests=(test_cli test_bad_input test_review test_memory test_ci_github test_ci_gitlab test_secrets
  test_reports test_shard test_init_memory)
logs=$build/valgrind
rm -rf "$logs"
mkdir -p "$logs/reports"
export CRABGATE_BIN=$here/valgrind-crabgate CG_VALGRIND_TARGET=$target CG_VALGRIND_REPORTS=$logs/reports
export CRABGATE_SOURCE_DIR=$root CRABGATE_BUILD_DIR=$build

one() {
  local t=$1 start=$SECONDS
  if python3 "$root/tests/integration/$t.py" >"$logs/$t.log" 2>&1; then
    echo "valgrind: $t ok ($((SECONDS - start)) s)"
  else
    echo "valgrind: $t FAILED ($((SECONDS - start)) s; $logs/$t.log)"
    grep -E -B2 -A40 '^(FAIL|ERROR):|==[0-9]+== ' "$logs/$t.log" | head -150
    return 1
  fi
}
export -f one
export logs root
status=0
printf '%s\n' "${tests[@]}" | xargs -P "$(nproc)" -I{} bash -c 'one {}' || status=1
# A report from a run whose test did not look at the exit status fails the suite too.
for r in "$logs"/reports/*; do
  [[ -e "$r" ]] || continue
  echo "valgrind: report in $r:"
  head -60 "$r"
  status=1
done
exit $status
