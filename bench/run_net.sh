#!/usr/bin/env bash
# The road-network benchmark, libcoverage (bench_net) and pgRouting side by side
# on Sapporo, Osaka Abeno, Liechtenstein and a generated grid of >= 1 million
# nodes: builds a release bench_net, sets up .venv-bench (bench/requirements.txt),
# then runs bench/net/run_net.py with the arguments given (e.g. --runs 3
# --markdown /tmp/net.md, --only grid). pgrouting_peer.py installs PostgreSQL 15
# and pgRouting with apt when missing and runs a throwaway cluster on loopback.
# Real networks come from COV_SHARED_DATA (default ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCOV_BUILD_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)" --target bench_net >/dev/null
[ -x .venv-bench/bin/python ] || python3 -m venv .venv-bench
.venv-bench/bin/pip install -q -r bench/requirements.txt
exec .venv-bench/bin/python bench/net/run_net.py --bench-net build/bench/bench_net "$@"
