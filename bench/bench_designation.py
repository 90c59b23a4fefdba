"""The designation on all of Hokkaido beside its bound and the exact
optimum (issue 20): the real 在支診/在支病 of the 北海道厚生局 届出 list as
candidates, the 2020 census's people 75+ on the 500 m mesh, the 21
二次医療圏, straight line 16 km, one lead per area, enhanced types counting
1.1; budgets of 21, 30 and 40 new leads. Then one plan robust over 2020 and
2040 demand (the report's forecast) beside each scenario's own best.

Inputs are read as examples/hokkaido_report.toml reads them (COV_SHARED_DATA,
default ../shared/data). Run from the project root:

    .venv/bin/python bench/bench_designation.py [--budgets 21,30,40] [--time-limit 120]

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
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    t = time.perf_counter()
    cfg = load_config(ROOT / "examples" / "hokkaido_report.toml")
    an, _ = build_analysis(cfg)
    print(f"inputs + analysis: {time.perf_counter() - t:.1f} s; {len(an.demand)} cells, "
          f"{len(an.facilities)} facilities")
    kinds, weight = cfg["planning"]["candidate_kinds"], cfg["demand"]["weight"]
    print("| new leads | heuristic (people 75+) | s | LP bound | s | exact optimum | s | status | "
          "heuristic / optimum |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for b in map(int, args.budgets.split(",")):
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
    robust_part(cfg, an, kinds, weight, args)


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


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
