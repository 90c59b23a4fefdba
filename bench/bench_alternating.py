"""What the report does on Sapporo's roads: coverage and policy checks at 30 minutes, summer,
winter, summer, winter, then the straight line, timed on either side of the travel-model
redesign (issue 12).

Before it, one Analysis was switched with ``use_network`` (every switch re-snapped every
facility and demand unit and dropped the caches); after it, the summer, winter and straight
analyses are values that share one snapping and one cache keyed by (model, threshold).

    python bench/bench_alternating.py [--rounds 2]

Run it with the zaitaku of each side (its .venv) on the same machine; it prints one JSON line
(stage times in seconds, the covered demand of each query, so that both sides can be checked to
agree). Needs the real data (COV_SHARED_DATA, default ../shared/data beside the project).
"""
import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import zaitaku
from zaitaku import planning

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("COV_SHARED_DATA") or ROOT.parent / "shared" / "data").resolve()
sys.path.insert(0, str(ROOT / "bench"))
from compare_results import hokkaido_inputs, sapporo_wards  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    roads = DATA / "raw/roads-sapporo-authorized-road-geomonly/sapporo_authorized_road_202111.shp"
    if not roads.exists():
        print(f"bench_alternating: skipped: {roads} is absent (set COV_SHARED_DATA)",
              file=sys.stderr)
        return 77
    warnings.simplefilter("ignore", zaitaku.CoverageWarning)
    munis, fac, dem = hokkaido_inputs()
    regions = sapporo_wards(munis)
    net = zaitaku.read_network(roads)
    new_api = hasattr(zaitaku.Analysis, "with_network")
    t0 = time.perf_counter()
    an = zaitaku.Analysis(regions, fac, dem)
    if new_api:
        summer = an.with_network(net, metric="time")
        seasons = {False: summer, True: summer.with_season(True)}
        line = an
    setup = time.perf_counter() - t0
    times, covered = [], []
    for _ in range(args.rounds):
        for winter in (False, True):
            t = time.perf_counter()
            if new_api:
                road = seasons[winter]
            else:
                an.use_network(net, metric="time", winter=winter)
                road = an
            cov = road.coverage("30min", area=False)
            checks = planning.check(road)
            times.append(time.perf_counter() - t)
            covered.append(float(cov[cov.kind == "nursing"].demand_covered.sum()))
            assert len(checks)
    t = time.perf_counter()
    if not new_api:
        an.use_network(None)
        line = an
    straight = line.coverage("16km", area=False)
    times.append(time.perf_counter() - t)
    covered.append(float(straight[straight.kind == "nursing"].demand_covered.sum()))
    print(json.dumps({"api": "values" if new_api else "use_network", "setup_s": round(setup, 3),
                      "query_s": [round(x, 3) for x in times], "total_s": round(setup + sum(times), 3),
                      "covered": covered}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
