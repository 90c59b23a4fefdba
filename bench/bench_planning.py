"""Planning on all of Hokkaido, timed; and the designation optimiser beside
an exact MILP (PuLP + CBC) on a subset of areas.

Inputs (COV_SHARED_DATA, default ../shared/data): the 21 二次医療圏 from N03
and the mapping table, the 2010 500 m mesh population, the visiting-nurse
stations (nursing) and the 医療情報ネット hospitals with coordinates
(candidates, kind "hospital"). Run from the project root with the zaitaku
of .venv (built by scripts/python-env.sh --dev, C at -O2):

    .venv/bin/python bench/bench_planning.py [--runs 3] [--subset 0101,0102,0103]

Prints wall-clock seconds per stage (best of --runs after one warm-up) and
the MILP comparison. Results go to bench/RESULTS.md by hand.
"""
import argparse
import json
import os
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("ZAITAKU_PROGRESS", "0")
import zaitaku  # noqa: E402
from zaitaku import planning  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("COV_SHARED_DATA") or ROOT.parent / "shared" / "data")


def inputs():
    munis = zaitaku.read_regions(DATA / "hokkaido_n03_shapefile_cp932" / "N03-22_01_220101.shp",
                                 "N03_007", "N03_004")
    areas = munis.dissolve(DATA / "hokkaido_municipality_2ji_iryoken.csv", "muni_code",
                           "iryoken2_code", "iryoken2_name")
    dem = zaitaku.read_demand(DATA / "raw" / "census2010_mesh500m_hokkaido_colspan" /
                              "population_mesh_third_half.csv", mesh_field="1",
                              weight_fields=["2"], header=False)
    with open(DATA / "raw" / "visiting_nursing_stations_mhlw_kaigo_osawa" / "clinics_geo.json",
              encoding="utf-8") as f:
        st = pd.DataFrame(json.load(f))
    ok = st["id"].str.startswith("01") & st["lg"].between(139.3, 149.0) & st["lt"].between(41.3, 45.6)
    st = st[ok]
    nursing = pd.DataFrame({"facility_id": "N" + st["id"], "kind": "nursing", "lon": st["lg"],
                            "lat": st["lt"]})
    z = zipfile.ZipFile(DATA / "raw" / "mhlw_iryojoho_net_hospitals_20250601" /
                        "01-1_hospital_facility_info_20250601.zip")
    with z.open(z.namelist()[0]) as f:
        h = pd.read_csv(f, dtype=str, encoding="utf-8-sig")
    h = h[h["都道府県コード"] == "01"]
    lat, lon = h["所在地座標（緯度）"].astype(float), h["所在地座標（経度）"].astype(float)
    h = pd.DataFrame({"facility_id": "H" + h.ID, "kind": "hospital", "lon": lon, "lat": lat,
                      "beds": pd.to_numeric(h["合計病床数"], errors="coerce")})
    h = h[lat.between(41.3, 45.6).to_numpy()]
    return areas, dem, nursing, h


def timed(fn, runs):
    fn()  # warm-up
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def milp_subset(areas, dem, nursing, hosp, codes, budget):
    """Greedy + swaps vs CBC on the areas `codes`: objective and time."""
    import pulp
    from pyproj import Geod

    gdf = areas.to_geodataframe()
    sub = zaitaku.read_regions(gdf[gdf.region_id.isin(codes)], "region_id", "region_name")
    fac = zaitaku.read_facilities(pd.concat([nursing, hosp], ignore_index=True),
                                  kind_field="kind")
    an = zaitaku.Analysis(sub, fac, dem, radius="16km")
    t0 = time.perf_counter()
    picks, _ = planning.designate(an, budget=budget, candidate_kinds=["hospital"])
    t_greedy = time.perf_counter() - t0
    # the MILP on the units assigned to the subset and the hospitals within
    # 16 km of them, distances from pyproj
    asg = an.assignment()
    units = asg[asg.region_id != ""].demand_id
    d = dem.to_geodataframe().set_index("demand_id").loc[units]
    ulon, ulat = d.geometry.centroid.x.to_numpy(), d.geometry.centroid.y.to_numpy()
    w = d["2"].to_numpy()
    hreg = fac.to_geodataframe()
    hreg = hreg[hreg.kind == "hospital"].reset_index(drop=True)
    geod = Geod(ellps="GRS80")
    t0 = time.perf_counter()
    cover = []
    for x, y in zip(hreg.geometry.x, hreg.geometry.y):
        _, _, dist = geod.inv(np.full(len(ulon), x), np.full(len(ulon), y), ulon, ulat)
        cover.append(np.flatnonzero(np.asarray(dist) <= 16000.0))
    region_of = {}
    for rid in codes:
        geom = gdf[gdf.region_id == rid].geometry.iloc[0]
        inside = hreg.geometry.within(geom)
        region_of.update({f: rid for f in hreg.facility_id[inside]})
    prob = pulp.LpProblem("designate", pulp.LpMaximize)
    y = [pulp.LpVariable(f"y{j}", cat="Binary") for j in range(len(hreg))]
    x = {}
    for j, us in enumerate(cover):
        for u in us:
            x[u, j] = pulp.LpVariable(f"x{u}_{j}", 0, 1)
    prob += pulp.lpSum(w[u] * v for (u, j), v in x.items())
    by_unit = {}
    for (u, j), v in x.items():
        by_unit.setdefault(u, []).append(v)
        prob += v <= y[j]
    for vs in by_unit.values():
        prob += pulp.lpSum(vs) <= 1
    prob += pulp.lpSum(y) <= budget
    for rid in codes:
        members = [y[j] for j, f in enumerate(hreg.facility_id) if region_of.get(f) == rid]
        if members:
            prob += pulp.lpSum(members) >= 1
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    t_milp = time.perf_counter() - t0
    return {"areas": ",".join(codes), "units": len(units), "candidates": len(hreg),
            "pairs": len(x), "budget": budget, "greedy_covered": float(picks.covered_demand_cumulative.iloc[-1]),
            "milp_covered": float(pulp.value(prob.objective)), "greedy_s": t_greedy,
            "milp_s (incl. pyproj reach)": t_milp, "status": pulp.LpStatus[prob.status]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--subset", default="0101,0102,0103,0105")
    ap.add_argument("--budget", type=int, default=8)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    t = time.perf_counter()
    areas, dem, nursing, hosp = inputs()
    fac = zaitaku.read_facilities(pd.concat([nursing, hosp], ignore_index=True),
                                  kind_field="kind", beds_field="beds")
    an = zaitaku.Analysis(areas, fac, dem, radius="16km")
    print(f"inputs + analysis: {time.perf_counter() - t:.3f} s; {len(dem)} cells, "
          f"{len(nursing)} stations, {len(hosp)} hospitals, {len(areas)} areas")
    stages = {
        "check (policy table)": lambda: planning.check(an),
        "designate (21 region picks + 10)": lambda: planning.designate(
            an, budget=31, candidate_kinds=["hospital"]),
        "designate, greedy only (no swaps)": lambda: planning.designate(
            an, budget=31, candidate_kinds=["hospital"], swap_passes=0),
        "gap clusters (nursing, 16 km)": lambda: planning.clusters(an),
        "sites (5 nursing stations)": lambda: planning.sites(an, n=5),
        "2SFCA (hospital beds, 16 km)": lambda: planning.access(
            an, kinds=["hospital"], supply="one"),
    }
    print("| stage | best of %d (s) |" % args.runs)
    print("|---|---:|")
    for name, fn in stages.items():
        s, _ = timed(fn, args.runs)
        print(f"| {name} | {s:.3f} |")
    g, _ = timed(lambda: planning.designate(an, budget=31, candidate_kinds=["hospital"],
                                            swap_passes=0), 1)
    full = planning.designate(an, budget=31, candidate_kinds=["hospital"])[0]
    greedy = planning.designate(an, budget=31, candidate_kinds=["hospital"], swap_passes=0)[0]
    print(f"covered demand: greedy {greedy.covered_demand_cumulative.iloc[-1]:.0f}, "
          f"with swaps {full.covered_demand_cumulative.iloc[-1]:.0f}")
    res = milp_subset(areas, dem, nursing, hosp, args.subset.split(","), args.budget)
    for k, v in res.items():
        print(f"{k}: {v}")
    print(f"greedy / MILP: {res['greedy_covered'] / res['milp_covered']:.5f}")


if __name__ == "__main__":
    main()
