#!/usr/bin/env python3
"""Results must not move across a refactoring: dumps and compares them.

    compare_results.py dump OUT_DIR [--scenarios sample,sample_roads,hokkaido,sapporo]
    compare_results.py compare BEFORE_DIR AFTER_DIR

``dump`` runs a fixed set of computations through zaitaku's public API and
writes every table (coverage, reach, gaps, policy checks, designation, gap
clusters, sites, 2SFCA) as CSV, rows sorted, into OUT_DIR/<scenario>/.
``compare`` says, table by table, whether two dumps are identical (numbers
to 1e-9 relative; text exactly) and exits 1 on the first difference list.

Scenarios: ``sample`` (the bundled sample, straight line, 16 km),
``sample_roads`` (the sample on its synthetic road grid, 30 min and 10 km,
summer and winter), ``hokkaido`` (the 21 二次医療圏, 2010 mesh, visiting-nurse
stations and 2015 hospitals, 16 km) and ``sapporo`` (Sapporo's 10 wards and
its road layer, nurses, 30 min summer and winter). The last two need the real
data (COV_SHARED_DATA, default ../shared/data beside the project) and are
skipped with a message without it. The dumps are derived from public data that
is not ours: write them outside the repository (e.g. /tmp).

It runs on either side of the travel-model redesign: before it, the road model
is set with ``Analysis.use_network``; after it, ``Analysis.with_network``
returns a new analysis.
"""
import argparse
import json
import math
import os
import sys
from pathlib import Path

import pandas as pd

import zaitaku
from zaitaku import planning

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("COV_SHARED_DATA") or ROOT.parent / "shared" / "data").resolve()
REL = 1e-9


def on_roads(an, net, metric, winter):
    """The analysis along roads, on either API."""
    if hasattr(an, "with_network"):
        return an.with_network(net, metric=metric, winter=winter)
    an.use_network(net, metric=metric, winter=winter)
    return an


def sort(frame):
    frame = pd.DataFrame(frame).copy()
    if "geometry" in frame.columns:
        frame = frame.drop(columns="geometry")
    frame = frame.reset_index(drop=True)
    keys = [c for c in frame.columns if frame[c].dtype == object]
    if keys:
        frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    return frame


def write(folder, name, frame):
    folder.mkdir(parents=True, exist_ok=True)
    sort(frame).to_csv(folder / f"{name}.csv", index=False, float_format="%.17g")


def tables(an, out, threshold, planning_too=True, areas=True, candidates=None):
    """Every product of one analysis at one threshold."""
    write(out, "coverage", an.coverage(threshold, area=areas))
    write(out, "reach", an.reach(radius=threshold))
    if areas:
        write(out, "gaps", an.gaps(threshold))
    if not planning_too:
        return
    write(out, "check", planning.check(an, doctor_threshold=threshold,
                                       nursing_threshold=threshold, wide=False))
    picks, regions = planning.designate(an, budget=25 if candidates else 0, threshold=threshold,
                                        candidate_kinds=candidates)
    write(out, "designate_picks", picks)
    write(out, "designate_regions", regions)
    write(out, "clusters", planning.clusters(an, kinds=["nursing"], threshold=threshold))
    write(out, "sites", planning.sites(an, kinds=["nursing"], threshold=threshold))
    units, regions = planning.access(an, kinds=["nursing"], supply="one", threshold=threshold)
    write(out, "access_units", units)
    write(out, "access_regions", regions)


def sample(out):
    an = zaitaku.Analysis.sample()
    tables(an, out / "sample", "16km")


def sample_roads(out):
    net = zaitaku.sample_road_grid()
    for winter in (False, True):
        season = "winter" if winter else "summer"
        an = on_roads(zaitaku.Analysis.sample(), net, "time", winter)
        tables(an, out / f"sample_roads_{season}_30min", "30min")
        an = on_roads(zaitaku.Analysis.sample(), net, "distance", winter)
        tables(an, out / f"sample_roads_{season}_10km", "10km", planning_too=False)


def hokkaido_inputs(prefix=None):
    munis = zaitaku.read_regions(DATA / "hokkaido_n03_shapefile_cp932" / "N03-22_01_220101.shp",
                                 "N03_007", "N03_004")
    dem = zaitaku.read_demand(DATA / "raw/census2010_mesh500m_hokkaido_colspan"
                              / "population_mesh_third_half.csv",
                              mesh_field="1", weight_fields=["2"], header=False)
    st = pd.DataFrame(json.loads((DATA / "raw/visiting_nursing_stations_mhlw_kaigo_osawa"
                                  / "clinics_geo.json").read_text(encoding="utf-8")))
    st = st[st.id.str.startswith(prefix or "01") & st.lg.between(139.3, 149.0)
            & st["lt"].between(41.3, 45.6)]
    nurses = pd.DataFrame({"id": st.id, "name": st.n, "lon": st.lg, "lat": st["lt"],
                           "kind": "nursing"})
    hosp = pd.read_csv(DATA / "raw/hokkaido_hospitals_2015_colspan/hospital_list.csv",
                       dtype={"id": str})
    hosp = hosp[hosp.latitude.between(41.3, 45.6) & hosp.longtitude.between(139.3, 149.0)]
    hospitals = pd.DataFrame({"id": "H" + hosp.id.astype(str), "name": hosp.hospital_name,
                              "lon": hosp.longtitude, "lat": hosp.latitude, "kind": "hospital"})
    fac = zaitaku.read_facilities(pd.concat([nurses, hospitals], ignore_index=True),
                                  id_field="id", kind_field="kind", name_field="name")
    return munis, fac, dem


def hokkaido(out):
    munis, fac, dem = hokkaido_inputs()
    areas = munis.dissolve(DATA / "hokkaido_municipality_2ji_iryoken.csv", "muni_code",
                           "iryoken2_code", "iryoken2_name")
    an = zaitaku.Analysis(areas, fac, dem)
    tables(an, out / "hokkaido", "16km", candidates=["hospital"])


def sapporo_wards(munis):
    """Sapporo's 10 wards (the N03 municipalities 011xx) as regions."""
    import tempfile

    table = pd.read_csv(DATA / "hokkaido_municipality_2ji_iryoken.csv", dtype=str)
    wards = table[table.muni_code.str.startswith("011")]
    with tempfile.TemporaryDirectory() as tmp:
        mapping = Path(tmp) / "sapporo_wards.csv"
        pd.DataFrame({"muni_code": wards.muni_code, "ward": wards.muni_code,
                      "ward_name": wards.muni_name if "muni_name" in wards else wards.muni_code}
                     ).to_csv(mapping, index=False)
        return munis.dissolve(mapping, "muni_code", "ward", "ward_name")


def sapporo(out):
    munis, fac, dem = hokkaido_inputs()
    regions = sapporo_wards(munis)
    net = zaitaku.read_network(DATA / "raw/roads-sapporo-authorized-road-geomonly"
                               / "sapporo_authorized_road_202111.shp")
    for winter in (False, True):
        season = "winter" if winter else "summer"
        an = on_roads(zaitaku.Analysis(regions, fac, dem), net, "time", winter)
        tables(an, out / f"sapporo_{season}_30min", "30min", areas=False,
               candidates=["hospital"])


SCENARIOS = {"sample": sample, "sample_roads": sample_roads, "hokkaido": hokkaido,
             "sapporo": sapporo}
REAL = {"hokkaido", "sapporo"}


def same(a, b):
    """Differences between two CSV tables (a list of lines)."""
    fa, fb = pd.read_csv(a, dtype=str, keep_default_na=False), pd.read_csv(b, dtype=str,
                                                                           keep_default_na=False)
    if list(fa.columns) != list(fb.columns):
        return [f"columns {list(fa.columns)} != {list(fb.columns)}"]
    if len(fa) != len(fb):
        return [f"{len(fa)} rows != {len(fb)} rows"]
    diffs = []
    for col in fa.columns:
        for i, (x, y) in enumerate(zip(fa[col], fb[col])):
            if x == y:
                continue
            try:
                u, v = float(x), float(y)
            except ValueError:
                diffs.append(f"row {i} {col}: {x!r} != {y!r}")
                continue
            if math.isnan(u) and math.isnan(v):
                continue
            if abs(u - v) > REL * max(abs(u), abs(v), 1e-300):
                diffs.append(f"row {i} {col}: {x} != {y}")
            if len(diffs) > 10:
                return diffs
    return diffs


def compare(before, after):
    failed = 0
    names = sorted({p.relative_to(before) for p in before.rglob("*.csv")}
                   | {p.relative_to(after) for p in after.rglob("*.csv")})
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            print(f"DIFF {name}: only in {'after' if b.exists() else 'before'}")
            failed += 1
            continue
        diffs = same(a, b)
        print(f"{'DIFF' if diffs else 'same'} {name}" + "".join(f"\n    {d}" for d in diffs))
        failed += bool(diffs)
    print(f"{len(names) - failed} of {len(names)} tables identical")
    return 1 if failed or not names else 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--scenarios", default=",".join(SCENARIOS))
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = p.parse_args(argv)
    if args.cmd == "compare":
        return compare(args.before, args.after)
    for name in args.scenarios.split(","):
        if name in REAL and not DATA.exists():
            print(f"skip {name}: real data absent ({DATA}; set COV_SHARED_DATA)")
            continue
        SCENARIOS[name](args.out)
        print(f"dumped {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
