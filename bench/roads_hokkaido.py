"""All-Hokkaido road graph (OpenMapTiles z13, issue 14): time to read the
layer as users get it (.ndjson.gz), to build the graph in C (one
cov_network_from_lines call, topology repair included), and the 30-minute
reach of every visiting-nurse station with coverage per 二次医療圏, summer
and winter.

    COV_SHARED_DATA=../shared/data .venv/bin/python bench/roads_hokkaido.py [--runs 3]

Inputs as bench/compare_results.py loads them: N03 municipalities dissolved
into the 21 二次医療圏 (data/hokkaido_municipality_2ji_iryoken.csv), the
MHLW 介護サービス情報公表 visiting-nurse stations (Osawa's geocoded copy),
the 2010 census 500 m mesh population. Prints one line per figure (best
of --runs, and the median) and, with --markdown, rows for bench/RESULTS.md.
"""
import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("ZAITAKU_PROGRESS", "0")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare_results  # noqa: E402  (the shared loaders and DATA)
import zaitaku  # noqa: E402
from zaitaku import _roads_io  # noqa: E402
from zaitaku._ffi import core as _core  # noqa: E402
from zaitaku.network import Network, _options  # noqa: E402

ROADS = compare_results.DATA / "raw/roads-hokkaido-openmaptiles-z13-2017" / \
    "hokkaido_roads_z13_lines.ndjson.gz"


def nursing_stations():
    """The visiting-nurse stations only, filtered as compare_results does."""
    import json

    import pandas as pd

    st = pd.DataFrame(json.loads((compare_results.DATA / "raw/visiting_nursing_stations_mhlw_"
                                  "kaigo_osawa" / "clinics_geo.json").read_text(encoding="utf-8")))
    st = st[st.id.str.startswith("01") & st.lg.between(139.3, 149.0)
            & st["lt"].between(41.3, 45.6)]
    return zaitaku.read_facilities(pd.DataFrame({"id": st.id, "name": st.n, "lon": st.lg,
                                                 "lat": st["lt"], "kind": "nursing"}),
                                   id_field="id", kind_field="kind", name_field="name")


def timed(fn, runs):
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, min(times), statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tolerance", default="5m")
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args()
    if not ROADS.exists():
        sys.exit(f"no road layer: {ROADS}")
    rows = []

    def report(what, best, median, note=""):
        print(f"{what:<58} best {best:7.3f} s  median {median:7.3f} s  {note}")
        rows.append((what, best, median, note))

    import resource

    def rss_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    base = rss_mb()
    rl, b, m = timed(lambda: _roads_io.read_road_lines(ROADS), args.runs)
    report("read .ndjson.gz into arrays (Python, orjson)", b, m,
           f"{len(rl):,} lines, {len(rl.x):,} points")
    ctx = _core.context()

    def build(tolerance=args.tolerance):
        keep = []
        opt = _options(None, None, None, None, tolerance, 30.0, 0, "routable", keep)
        return Network(ctx, _roads_io.network_from_lines(ctx, rl, opt, keep), str(ROADS))

    bare, b, m = timed(lambda: build(0), args.runs)
    report("build without repair (node_tolerance 0: shared vertices only)", b, m,
           f"{bare.n_components:,} components, largest "
           f"{bare.repair_report().largest_share_length[0]:.1%} of the length")
    del bare
    read_peak = rss_mb()
    net, b, m = timed(build, args.runs)
    print(f"peak RSS: {base:.0f} MB at start, {read_peak:.0f} MB after reading, "
          f"{rss_mb():.0f} MB after building")
    rep = net.repair_report().iloc[0]
    report("build the graph in C (repair, noding, components, CSR)", b, m,
           f"{net.n_nodes:,} nodes, {net.n_edges:,} edges, {int(rep.n_joins):,} joins, "
           f"largest component {rep.largest_share_length:.1%} of the length")
    _, b, m = timed(lambda: zaitaku.read_network(ROADS, node_tolerance=args.tolerance), 1)
    report("zaitaku.read_network(path) end to end", b, m)

    munis, _, dem = compare_results.hokkaido_inputs()
    areas = munis.dissolve(compare_results.DATA / "hokkaido_municipality_2ji_iryoken.csv",
                           "muni_code", "iryoken2_code", "iryoken2_name")
    fac = nursing_stations()
    an = zaitaku.Analysis(areas, fac, dem, radius="16km")
    t = time.perf_counter()
    road = an.with_network(net, metric="time", threshold="30min")
    report("with_network: snap facilities and 500 m cells", time.perf_counter() - t,
           time.perf_counter() - t)
    for winter in (False, True):
        season = "winter" if winter else "summer"
        # a fresh analysis per run, so that no cached entry is reused
        def cover():
            a = zaitaku.Analysis(areas, fac, dem, radius="16km").with_network(
                net, metric="time", threshold="30min")
            t0 = time.perf_counter()
            cov = a.coverage("30min", area=False, winter=winter)
            return cov, time.perf_counter() - t0

        times = []
        for _ in range(args.runs):
            cov, dt = cover()
            times.append(dt)
        row = cov[cov.kind == "nursing"]
        share = row.demand_covered.sum() / row.demand_total.sum()
        report(f"30-min reach of every station + coverage ({season})", min(times),
               statistics.median(times),
               f"{int(row.n_facilities.sum()):,} stations, {share:.1%} of people covered")
    settled = net._ptr and zaitaku._libcoverage.lib.cov_network_settled_count(net._ptr)
    print(f"settled nodes by all searches: {settled:,}")
    if args.markdown:
        machine = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                   f"load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}")
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(f"Machine: {machine}\n\n| What | best (s) | median (s) | notes |\n"
                    "|---|---|---|---|\n")
            for what, best, median, note in rows:
                f.write(f"| {what} | {best:.3f} | {median:.3f} | {note} |\n")


if __name__ == "__main__":
    main()
