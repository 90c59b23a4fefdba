"""Road coverage with areas on Sapporo (issue 15): the polygon calls of a
road analysis at 30 minutes, each on a fresh analysis, with the peak memory
of the process.

    COV_SHARED_DATA=../shared/data .venv/bin/python bench/bench_sapporo_areas.py [--runs 3]

Inputs as in bench/compare_results.py's ``sapporo`` scenario: Sapporo's 10
wards from the N03 municipalities, the authorized-road layer (47,801 nodes,
72,874 edges after repair), Hokkaido's 714 visiting-nurse stations and 573
hospitals (the 2015 list), the 2010 census 500 m cells. Prints one line per
call (best wall-clock seconds of the runs) and the peak RSS; exits 77 when
the data is absent.
"""
import argparse
import os
import resource
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    data = Path(os.environ.get("COV_SHARED_DATA", ROOT.parent.parent / "shared" / "data"))
    roads = data / "raw/roads-sapporo-authorized-road-geomonly/sapporo_authorized_road_202111.shp"
    if not roads.exists():
        print(f"bench_sapporo_areas: no Sapporo roads in {data} (set COV_SHARED_DATA)")
        sys.exit(77)
    os.environ["COV_SHARED_DATA"] = str(data)
    sys.path.insert(0, str(ROOT))
    import pandas as pd

    import compare_results as C
    import zaitaku

    warnings.simplefilter("ignore", zaitaku.CoverageWarning)
    munis, fac, dem = C.hokkaido_inputs()
    table = pd.read_csv(C.DATA / "hokkaido_municipality_2ji_iryoken.csv", dtype=str)
    wards = table[table.muni_code.str.startswith("011")].muni_code
    regions = munis.dissolve({m: m for m in wards})
    net = zaitaku.read_network(roads)

    def fresh():
        return zaitaku.Analysis(regions, fac, dem).with_network(net, metric="time",
                                                               threshold="30min")

    calls = {
        "coverage(area=False)": lambda an: an.coverage(area=False),
        "coverage() with areas": lambda an: an.coverage(),
        "gaps()": lambda an: an.gaps(),
        "service_areas() by region": lambda an: an.service_areas(),
        "isochrones by kind (network)": lambda an: net.isochrones(fac, "30min", by="kind",
                                                                  buffer="100m"),
    }
    print(f"{fresh()!r}")
    for name, fn in calls.items():
        best = float("inf")
        for _ in range(args.runs):
            an = fresh()
            t0 = time.perf_counter()
            fn(an)
            best = min(best, time.perf_counter() - t0)
        print(f"{name:<30} best {best:7.2f} s", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
