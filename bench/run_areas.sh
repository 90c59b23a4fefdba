#!/usr/bin/env bash
# The Hokkaido polygon-work benchmark (bench_hokkaido_areas.c), best of 3.
# Writes the Hokkaido stations (id prefix 01, inside Hokkaido's extent) from
# the JSON in COV_SHARED_DATA to a temporary CSV; nothing is written here.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${COV_SHARED_DATA:-$PWD/../shared/data}"
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCOV_BUILD_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)" --target bench_hokkaido_areas >/dev/null
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 - "$data" "$tmp/stations.csv" <<'PY'
import json, sys
rows = [s for s in json.load(open(f"{sys.argv[1]}/raw/visiting_nursing_stations_mhlw_kaigo_osawa/clinics_geo.json"))
        if s["id"].startswith("01") and 139.3 <= s["lg"] <= 149.0 and 41.3 <= s["lt"] <= 45.6]
with open(sys.argv[2], "w") as f:
    f.write("id,lon,lat\n" + "".join(f"{s['id']},{s['lg']},{s['lt']}\n" for s in rows))
PY
for i in 1 2 3; do COV_SHARED_DATA="$data" build/bench/bench_hokkaido_areas "$tmp/stations.csv"; done
