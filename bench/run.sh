#!/usr/bin/env bash
# The Hokkaido benchmark, libcoverage and the geopandas peer side by side:
# builds a release libcoverage, sets up the peer in .venv-bench (packages
# pinned in bench/requirements.txt), runs bench/run_hokkaido.py with the
# arguments given (e.g. --runs 5 --markdown out.md). Needs the real data in
# COV_SHARED_DATA (default ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCOV_BUILD_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)" --target bench_hokkaido >/dev/null
[ -x .venv-bench/bin/python ] || python3 -m venv .venv-bench
.venv-bench/bin/pip install -q -r bench/requirements.txt
exec .venv-bench/bin/python bench/run_hokkaido.py --c-bin build/bench/bench_hokkaido \
  --python .venv-bench/bin/python "$@"
