"""Straight-line reach and coverage at all-Japan size and below (issue 15):
the same synthetic layout at 1/8, 1/4, 1/2 and the whole of 430,000 demand
cells, 35,000 facilities of two kinds (doctors and nurses) and 336 regions,
to show how the C stages grow (they should grow linearly).

    .venv/bin/python bench/bench_scale.py [--runs 3] [--json FILE]

The layout is generated (no real data): 336 regions, 24 x 14 boxes of
0.5 deg x 0.5 deg over 128-140 E, 33-40 N (Japan's size, on land without
a coastline); demand points scattered with a density that varies by
region (rural boxes sparse, a few urban ones dense, as the census mesh);
facilities placed where the demand is, half doctors half nurses. Times are
wall-clock seconds, best of the runs, of the calls a user makes after the
inputs are read: Analysis() (assignment to regions), and Analysis() with
coverage(area=False) with one kind (nurses only) and with two (doctors and
nurses, with their combined group).
"""
import argparse
import json
import time
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import zaitaku

FULL = {"cells": 430_000, "facilities": 35_000, "cols": 24, "rows": 14}


def layout(scale, seed=7):
    rng = np.random.default_rng(seed)
    cols, rows = FULL["cols"], FULL["rows"]
    boxes = [shapely.box(128 + 0.5 * i, 33 + 0.5 * j, 128.5 + 0.5 * i, 33.5 + 0.5 * j)
             for j in range(rows) for i in range(cols)]
    regions = gpd.GeoDataFrame({"rid": [f"R{k:03d}" for k in range(len(boxes))],
                                "name": [f"region {k}" for k in range(len(boxes))]},
                               geometry=boxes, crs="EPSG:4326")
    density = rng.lognormal(0.0, 1.2, len(boxes))
    density /= density.sum()
    n_cells = int(FULL["cells"] * scale)
    per = rng.multinomial(n_cells, density)
    which = np.repeat(np.arange(len(boxes)), per)
    x0 = 128 + 0.5 * (which % cols)
    y0 = 33 + 0.5 * (which // cols)
    lon = x0 + rng.uniform(0.001, 0.499, n_cells)
    lat = y0 + rng.uniform(0.001, 0.499, n_cells)
    demand = pd.DataFrame({"id": np.arange(n_cells).astype(str), "lon": lon, "lat": lat,
                           "people": rng.integers(1, 400, n_cells).astype(float)})
    n_fac = int(FULL["facilities"] * scale)
    at = rng.choice(n_cells, n_fac)
    fac = pd.DataFrame({"facility_id": [f"F{k}" for k in range(n_fac)],
                        "kind": np.where(np.arange(n_fac) % 2 == 0, "zaishin", "nursing"),
                        "lon": lon[at] + rng.normal(0, 0.01, n_fac),
                        "lat": lat[at] + rng.normal(0, 0.01, n_fac)})
    return regions, fac, demand


def best(runs, fn):
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args()
    warnings.simplefilter("ignore", zaitaku.CoverageWarning)
    out = []
    for scale in (0.125, 0.25, 0.5, 1.0):
        regions_df, fac_df, dem_df = layout(scale)
        regions = zaitaku.read_regions(regions_df, "rid", "name")
        fac = zaitaku.read_facilities(fac_df, kind_field="kind")
        dem = zaitaku.read_demand(dem_df, id_field="id", lon_field="lon", lat_field="lat",
                                  weight_fields=["people"])
        nurses = zaitaku.read_facilities(fac_df[fac_df.kind == "nursing"], kind_field="kind")
        t_an, _ = best(args.runs, lambda: zaitaku.Analysis(regions, fac, dem,
                                                          doctor_kinds=["zaishin"]))
        # each call on a fresh analysis: none finds the reach sets of an earlier one
        t_one, _ = best(args.runs, lambda: zaitaku.Analysis(regions, nurses, dem)
                        .coverage(area=False))
        t_two, cov = best(args.runs, lambda: zaitaku.Analysis(
            regions, fac, dem, doctor_kinds=["zaishin"]).coverage(area=False))
        nursing = cov[cov.kind == "nursing"]
        row = {"scale": scale, "cells": len(dem_df), "facilities": len(fac_df),
               "regions": len(regions_df), "analysis_s": t_an,
               "analysis_coverage_one_kind_s": t_one, "analysis_coverage_two_kinds_s": t_two,
               "rows": len(cov),
               "nursing_share": float(nursing.demand_covered.sum() / nursing.demand_total.sum())}
        out.append(row)
        print(f"x{scale:<5} {row['cells']:>7,} cells {row['facilities']:>6,} facilities: "
              f"Analysis {t_an:6.3f} s; Analysis + coverage: one kind {t_one:6.3f} s, "
              f"two kinds (and combined) {t_two:6.3f} s; nurses reach "
              f"{row['nursing_share']:.1%}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
