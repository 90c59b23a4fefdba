#!/usr/bin/env bash
# Every test: installs what is missing, builds with AddressSanitizer and
# UndefinedBehaviorSanitizer and runs the C tests with ctest; builds a release
# library, runs the example under valgrind (no leaks allowed), and checks
# that the installed headers, CMake package and pkg-config file work.
# Real-data tests use COV_SHARED_DATA (default ../shared/data) and skip with
# a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
export COV_SHARED_DATA="${COV_SHARED_DATA:-$root/../shared/data}"
jobs="$(nproc)"

COV_NEED_VALGRIND=1 scripts/install-deps.sh

echo "== C tests under ASan + UBSan"
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DCOV_ASAN=ON -DCOV_UBSAN=ON \
      -DCOV_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-sanitize -j "$jobs" >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-sanitize --output-on-failure -j "$jobs"

echo "== example under valgrind"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs" >/dev/null
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
  --error-exitcode=1 build/examples/c/quickstart data/sample "$tmp/out" >/dev/null
echo "valgrind: no errors, no leaks"

echo "== install, CMake package and pkg-config"
cmake --install build --prefix "$tmp/prefix" >/dev/null
scripts/check-install.sh "$tmp/prefix" "$tmp/consumer"
