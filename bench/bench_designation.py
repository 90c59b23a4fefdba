"""The designation on all of Hokkaido beside its bound and the exact
optimum (issue 20): the real 在支診/在支病 of the 北海道厚生局 届出 list as
candidates, the 2020 census's people 75+ on the 500 m mesh, the 21
二次医療圏, straight line 16 km, one lead per area, enhanced types counting
1.1; budgets of 21, 30 and 40 new leads. Then one plan robust over 2020 and
2040 demand (the report's forecast) beside each scenario's own best.

Inputs are read as examples/hokkaido_report.toml reads them (COV_SHARED_DATA,
default ../shared/data). Run from the project root:

    .venv/bin/python bench/bench_designation.py [--budgets 21,30,40] [--time-limit 120]
        [--parts hokkaido,robust,sapporo]

Prints one Markdown table per part; bench/RESULTS.md gets them by hand.
"""
import argparse
import os
import time
import warnings
from pathlib import Path

import numpy as np

os.environ.setdefault("ZAITAKU_PROGRESS", "0")
from zaitaku import planning  # noqa: E402
from zaitaku.report.build import build_analysis  # noqa: E402
from zaitaku.report.validation import load_config  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--budgets", default="21,30,40")
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--robust-budgets", default="30")
    ap.add_argument("--parts", default="hokkaido,robust,sapporo",
                    help="which parts to run (comma-separated)")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    t = time.perf_counter()
    cfg = load_config(ROOT / "examples" / "hokkaido_report.toml")
    an, _ = build_analysis(cfg)
    print(f"inputs + analysis: {time.perf_counter() - t:.1f} s; {len(an.demand)} cells, "
          f"{len(an.facilities)} facilities")
    kinds, weight = cfg["planning"]["candidate_kinds"], cfg["demand"]["weight"]
    parts = args.parts.split(",")
    print("| new leads | heuristic (people 75+) | s | LP bound | s | exact optimum | s | status | "
          "heuristic / optimum |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for b in map(int, args.budgets.split(",") if "hokkaido" in parts else []):
        t = time.perf_counter()
        h, _ = planning.designate(an, budget=b, candidate_kinds=kinds, weight=weight, bound=False)
        th = time.perf_counter() - t
        t = time.perf_counter()
        hb, _ = planning.designate(an, budget=b, candidate_kinds=kinds, weight=weight)
        tb = time.perf_counter() - t
        t = time.perf_counter()
        ex, _ = planning.designate(an, budget=b, candidate_kinds=kinds, weight=weight, exact=True,
                                   time_limit=args.time_limit)
        te = time.perf_counter() - t
        bh, be = hb.attrs["bound"], ex.attrs["bound"]
        print(f"| {b} | {h.gain_objective.sum():,.0f} | {th:.2f} | {bh['objective_bound']:,.0f} | "
              f"{tb:.2f} | {be['objective']:,.0f} | {te:.2f} | {be['status']} | "
              f"{h.gain_objective.sum() / be['objective']:.5f} |")
        print(f"  (with the LP-guided moves: {bh['objective']:,.0f}, {bh['found_by']}; "
              f"people bound {bh['covered_bound']:,.0f} vs {bh['covered']:,.0f}; "
              f"exact bound {be['objective_bound']:,.0f})")
    if "robust" in parts:
        robust_part(cfg, an, kinds, weight, args)
    if "sapporo" in parts:
        sapporo_part(an, kinds, weight, args)


def robust_part(cfg, an, kinds, weight, args):
    """One plan for 2020 and 2040 (the report's [forecast]: each cell's
    people 75+ times its area's growth of home-visit demand)."""
    from zaitaku.report.forecast import read_factors
    later = an.scale_demand(read_factors(cfg), weight=weight)
    scenarios = {"2020": an, "2040": later}
    for b in map(int, args.robust_budgets.split(",")):
        for objective in ("worst", "weighted"):
            t = time.perf_counter()
            picks, table = planning.robust(scenarios, budget=b, candidate_kinds=kinds,
                                           weight=weight, objective=objective,
                                           time_limit=args.time_limit)
            r = picks.attrs["robust"]
            print(f"robust, {b} new leads, {objective}: {time.perf_counter() - t:.1f} s, "
                  f"value {r['value']:.6f}, bound {r['bound']:.6f}, {r['status']}")
            print(table.to_string(index=False))


def sapporo_part(an, kinds, weight, args):
    """Summer and winter by road (Sapporo's authorized-road layer, the only
    real road graph the project reads whole today; all Hokkaido waits for
    issue 14): the 10 wards, the same doctors and people 75+ (cell
    centroids), 10 minutes' drive, one lead per ward + 5."""
    import pandas as pd
    import zaitaku
    from compare_results import DATA, sapporo_wards

    roads = DATA / "raw/roads-sapporo-authorized-road-geomonly/sapporo_authorized_road_202111.shp"
    munis = zaitaku.read_regions(DATA / "hokkaido_n03_shapefile_cp932" / "N03-22_01_220101.shp",
                                 "N03_007", "N03_004")
    regions = sapporo_wards(munis)
    f, d = an.facilities.to_geodataframe(), an.demand.to_geodataframe()
    d = d.assign(geometry=d.geometry.centroid)
    box = (140.95, 42.75, 141.55, 43.20)

    def inside(g):
        return g.geometry.x.between(box[0], box[2]) & g.geometry.y.between(box[1], box[3])

    f, d = f[inside(f)], d[inside(d)]
    fac = zaitaku.read_facilities(pd.DataFrame({
        "facility_id": f.facility_id, "name": f.name, "kind": f.kind, "lon": f.geometry.x,
        "lat": f.geometry.y}), kind_field="kind", name_field="name")
    dem = zaitaku.read_demand(pd.DataFrame({"id": d.demand_id, "lon": d.geometry.x,
                                            "lat": d.geometry.y, weight: d[weight]}),
                              id_field="id", lon_field="lon", lat_field="lat",
                              weight_fields=[weight])
    summer = zaitaku.Analysis(regions, fac, dem).with_network(zaitaku.read_network(roads),
                                                              metric="time")
    seasons = {"summer": summer, "winter": summer.with_season(True)}
    print(f"Sapporo: {len(f)} facilities, {len(d)} cells; 10 min by road, 15 new leads")
    for name, a in seasons.items():
        t = time.perf_counter()
        p, _ = planning.designate(a, budget=15, threshold="10min", candidate_kinds=kinds)
        th = time.perf_counter() - t
        t = time.perf_counter()
        e, _ = planning.designate(a, budget=15, threshold="10min", candidate_kinds=kinds,
                                  exact=True, time_limit=args.time_limit)
        b, x = p.attrs["bound"], e.attrs["bound"]
        print(f"| {name} | {b['objective']:,.0f} | {th:.1f} | {b['objective_bound']:,.0f} | "
              f"{x['objective']:,.0f} | {x['objective_bound']:,.0f} | {x['status']} | "
              f"{time.perf_counter() - t:.1f} | {b['found_by']} |")
    t = time.perf_counter()
    picks, table = planning.robust(seasons, budget=15, threshold="10min", candidate_kinds=kinds,
                                   time_limit=args.time_limit)
    r = picks.attrs["robust"]
    print(f"robust summer/winter: {time.perf_counter() - t:.1f} s, value {r['value']:.6f}, "
          f"bound {r['bound']:.6f}, {r['status']}")
    print(table.drop(columns="own_not_in_robust").to_string(index=False))
    print(table.own_not_in_robust.str.count(",").add(1).tolist())


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
