#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz (or
# $COV_FUZZ_BUILD) and runs
# each for SECONDS (default 60) on a copy of its seed corpus
# (tests/fuzz/corpus/<target>; new inputs go to build-fuzz/corpus/<target>,
# crashes to build-fuzz/artifacts/<target>/). Prints one line of figures per
# target and exits non-zero when any target crashed, leaked or timed out.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${COV_FUZZ_BUILD:-build-fuzz}"
secs="${1:-60}"
shift || true
all=(fuzz_shapefile fuzz_dbf_encoding fuzz_mesh fuzz_csv fuzz_wkb fuzz_network)
targets=("${@:-${all[@]}}")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

COV_NEED_CLANG=1 scripts/install-deps.sh
CC="${COV_FUZZ_CC:-clang}" cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCOV_ASAN=ON \
  -DCOV_UBSAN=ON -DCOV_FUZZ=ON -DCOV_BUILD_TESTS=OFF -DCOV_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j "${COV_JOBS:-2}" >/dev/null

failed=0
for t in "${targets[@]}"; do
  work="$build/corpus/$t" art="$build/artifacts/$t" log="$build/$t.log"
  mkdir -p "$work" "$art"
  cp -n "tests/fuzz/corpus/$t"/* "$work"/ 2>/dev/null || true
  rc=0
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/tests/fuzz/$t" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$art/" "$work" >"$log" 2>&1 || rc=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)"
  ft="$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)"
  n="$(find "$work" -type f | wc -l)"
  if [ "$rc" = 0 ]; then
    echo "$t: ${secs}s, ${execs:-?} execs, cov ${cov:-?} edges, ft ${ft:-?}, corpus $n, no crash"
  else
    failed=1
    echo "$t: FAILED (exit $rc) after ${execs:-?} execs; log $log; inputs in $art/:" >&2
    ls "$art" >&2
    grep -m5 -E 'ERROR|SUMMARY|runtime error' "$log" >&2 || true
  fi
done
exit "$failed"
