#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz (or
# $COV_FUZZ_BUILD) and runs
# each for SECONDS (default 60) on a copy of its seed corpus
# (tests/fuzz/corpus/<target>; new inputs go to build-fuzz/corpus/<target>,
# crashes to build-fuzz/artifacts/<target>/). Prints one line of figures per
# target and exits non-zero when any target crashed, leaked or timed out.
#
# The Python targets (fuzz_kouseikyoku, fuzz_estat_mesh: the official-data
# readers, tests/fuzz/fuzz_official.py) run under atheris in .venv, which
# they install there when missing. TARGET may also be "c" or "python" for
# either group; no TARGET runs all.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${COV_FUZZ_BUILD:-build-fuzz}"
secs="${1:-60}"
shift || true
c_targets=(fuzz_shapefile fuzz_dbf_encoding fuzz_mesh fuzz_csv fuzz_wkb fuzz_network)
py_targets=(fuzz_kouseikyoku fuzz_estat_mesh)
targets=()
for a in "${@:-c python}"; do
  for w in $a; do
    case "$w" in
      c) targets+=("${c_targets[@]}") ;;
      python) targets+=("${py_targets[@]}") ;;
      *) targets+=("$w") ;;
    esac
  done
done
is_py() { [[ " ${py_targets[*]} " == *" $1 "* ]]; }

need_c=0 need_py=0
for t in "${targets[@]}"; do if is_py "$t"; then need_py=1; else need_c=1; fi; done
if [ "$need_c" = 1 ]; then
  COV_NEED_CLANG=1 scripts/install-deps.sh
  CC="${COV_FUZZ_CC:-clang}" cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCOV_ASAN=ON \
    -DCOV_UBSAN=ON -DCOV_FUZZ=ON -DCOV_BUILD_TESTS=OFF -DCOV_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build "$build" -j "${COV_JOBS:-2}" >/dev/null
fi
if [ "$need_py" = 1 ]; then
  [ -x .venv/bin/python ] && .venv/bin/python -c "import zaitaku, openpyxl" 2>/dev/null ||
    scripts/python-env.sh --dev
  .venv/bin/python -c "import atheris" 2>/dev/null || .venv/bin/python -m pip install -q "atheris>=2.3"
fi

failed=0
for t in "${targets[@]}"; do
  work="$build/corpus/$t" art="$build/artifacts/$t" log="$build/$t.log"
  mkdir -p "$work" "$art"
  cp -n "tests/fuzz/corpus/$t"/* "$work"/ 2>/dev/null || true
  rc=0
  if is_py "$t"; then
    run=(.venv/bin/python tests/fuzz/fuzz_official.py "$t")
  else
    run=("$build/tests/fuzz/$t")
  fi
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "${run[@]}" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
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
