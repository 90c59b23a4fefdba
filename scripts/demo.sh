#!/usr/bin/env bash
# The main job on the bundled sample: installs what is missing, builds
# libcoverage, and runs the quick-start example on data/sample (a fictional
# prefecture), writing its tables and layers to ${1:-quickstart-out}.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-quickstart-out}"

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCOV_BUILD_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)" --target quickstart >/dev/null
build/examples/c/quickstart data/sample "$out"
