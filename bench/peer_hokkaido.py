#!/usr/bin/env python3
"""Peer benchmark: Hokkaido reach + coverage of visiting-nurse stations, 16 km.

The computation of bench_hokkaido.c written as a competent GIS analyst would
with geopandas/shapely/scipy/pyproj: vectorised, spatial indexes, exact
geodesic distances only where they can change the answer. It reads the real
data from COV_SHARED_DATA (default ../shared/data beside the project root),
times each stage and prints a JSON summary (or writes it to --json).
"""
import argparse
import json
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.spatial import cKDTree

RADIUS_M = 16000.0
SNAP_M = 1000.0
# Chord (3D straight line) <= geodesic always; for geodesics up to 16 km the
# excess is below 5 mm on GRS80. So a pair with chord <= RADIUS_M - BAND_M is
# certainly within reach and only chords in the band need a geodesic.
BAND_M = 1.0
# Hokkaido's extent (N03 bounds, rounded outward). It drops mis-geocoded
# stations such as 0175701283, an Iwamizawa station placed in Tokyo.
HOKKAIDO_BBOX = (139.3, 41.3, 149.0, 45.6)  # lon_min, lat_min, lon_max, lat_max
N03 = "hokkaido_n03_shapefile_cp932/N03-22_01_220101.shp"
MAPPING = "hokkaido_municipality_2ji_iryoken.csv"
MESH = "raw/census2010_mesh500m_hokkaido_colspan/population_mesh_third_half.csv"
STATIONS = "raw/visiting_nursing_stations_mhlw_kaigo_osawa/clinics_geo.json"
SKIP_EXIT = 77  # "skipped" for CTest and automake: data absent


def shared_data_dir():
    """The shared data folder, or exit with a clear message."""
    root = Path(__file__).resolve().parent.parent
    data = Path(os.environ.get("COV_SHARED_DATA", root.parent / "shared" / "data"))
    if not (data / N03).is_file():
        print(f"skipped: shared data not found at {data} (no {N03}); set "
              "COV_SHARED_DATA to the folder holding the real data", file=sys.stderr)
        sys.exit(SKIP_EXIT)
    return data


def read_regions(data, dissolve_method):
    """N03 parts -> municipalities -> the 21 二次医療圏 (areas)."""
    parts = gpd.read_file(data / N03, encoding="cp932", engine="pyogrio")  # no .cpg
    munis = parts[["N03_007", "geometry"]].dissolve("N03_007", method=dissolve_method)
    n_munis = len(munis)
    mapping = pd.read_csv(data / MAPPING, dtype=str)  # codes keep leading zeros
    mapping = mapping.dropna(subset=["iryoken2_code"])  # Northern Territories
    munis = munis.reset_index().merge(mapping, left_on="N03_007", right_on="muni_code")
    areas = munis.dissolve("iryoken2_code", method=dissolve_method,
                           aggfunc={"iryoken2_name": "first"}).reset_index()
    # Parts labelled with their area: many small polygons make the nearest
    # search for sea cells far cheaper than 21 huge multipolygons.
    parts = parts.merge(mapping, left_on="N03_007", right_on="muni_code")
    return areas, parts[["iryoken2_code", "geometry"]], n_munis


def mesh_centroids(codes):
    """Centroids (lon, lat) of 9-digit 1/2-mesh codes (JIS X 0410)."""
    c = np.asarray(codes, dtype=np.int64)
    pp, uu = c // 10**7, c // 10**5 % 100            # 1st level: 40' x 1 deg
    q, v = c // 10**4 % 10, c // 1000 % 10           # 2nd: 5' x 7.5'
    r, w = c // 100 % 10, c // 10 % 10               # 3rd: 30" x 45"
    h = c % 10 - 1                                   # 1/2: 0..3 = SW, SE, NW, NE
    lat = pp / 1.5 + q / 12 + r / 120 + (h // 2) / 240 + 1 / 480
    lon = uu + 100 + v / 8 + w / 80 + (h % 2) / 160 + 1 / 320
    return lon, lat


def read_mesh(data):
    """500 m cells (code, total) with their centroid (JGD2011 lon/lat)."""
    df = pd.read_csv(data / MESH, header=None, usecols=[0, 1], names=["code", "total"],
                     dtype={"code": str})
    lon, lat = mesh_centroids(df["code"].astype(np.int64))
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:6668")


def load_stations(path):
    """Hokkaido stations (id prefix 01) with usable coordinates inside the bbox."""
    with open(path, encoding="utf-8") as f:
        st = pd.DataFrame(json.load(f))
    st = st[st["id"].str.startswith("01")]
    lon = pd.to_numeric(st["lg"], errors="coerce")
    lat = pd.to_numeric(st["lt"], errors="coerce")
    missing = lon.isna() | lat.isna()
    x0, y0, x1, y1 = HOKKAIDO_BBOX
    outside = ~missing & ~(lon.between(x0, x1) & lat.between(y0, y1))
    keep = ~missing & ~outside
    out = pd.DataFrame({"id": st["id"], "lon": lon, "lat": lat})[keep].reset_index(drop=True)
    info = {"n_prefecture": len(st), "n_missing_coords": int(missing.sum()),
            "n_outside_bbox": int(outside.sum()), "dropped_ids": sorted(st["id"][~keep]),
            "n_duplicate_ids": int(out["id"].duplicated().sum())}
    return out, info


def assign(cells, areas, parts):
    """Area code per cell: centroid in polygon, else nearest area within SNAP_M."""
    j = gpd.sjoin(cells[["geometry"]], areas[["iryoken2_code", "geometry"]],
                  how="left", predicate="within")
    # A clean coverage gives one area per point anyway; keep the cells' order.
    code = j[~j.index.duplicated()]["iryoken2_code"].reindex(cells.index)
    method = pd.Series(np.where(code.isna(), "unassigned", "inside"), index=cells.index)
    snap = pd.Series(np.where(code.isna(), np.nan, 0.0), index=cells.index)
    sea = code.isna()
    b = areas.total_bounds  # distances in an equal-area projection centred on the areas
    crs = (f"+proj=laea +lat_0={(b[1] + b[3]) / 2} +lon_0={(b[0] + b[2]) / 2} "
           "+ellps=GRS80 +units=m +no_defs")
    near = gpd.sjoin_nearest(cells.loc[sea, ["geometry"]].to_crs(crs), parts.to_crs(crs),
                             how="inner", max_distance=SNAP_M, distance_col="d")
    near = near[~near.index.duplicated()]  # ties: keep one
    code[near.index] = near["iryoken2_code"]
    method[near.index] = "snapped"
    snap[near.index] = near["d"]
    return code, method, snap


def ecef(geod, lon, lat):
    """Earth-centred coordinates on the ellipsoid surface (height 0)."""
    phi, lam = np.radians(lat), np.radians(lon)
    n = geod.a / np.sqrt(1 - geod.es * np.sin(phi) ** 2)
    return np.column_stack([n * np.cos(phi) * np.cos(lam), n * np.cos(phi) * np.sin(lam),
                            n * (1 - geod.es) * np.sin(phi)])


def reach(cells, st, radius_m, k=4):
    """Per cell: geodesic distance to and index of the nearest station, and the
    number of stations within radius_m."""
    geod = pyproj.Geod(ellps="GRS80")
    lon, lat = cells.geometry.x.to_numpy(), cells.geometry.y.to_numpy()
    slon, slat = st["lon"].to_numpy(), st["lat"].to_numpy()
    xyz, sxyz = ecef(geod, lon, lat), ecef(geod, slon, slat)
    tree = cKDTree(sxyz)

    # Nearest: geodesics to the k chord-nearest stations. No station with a
    # chord above the best geodesic can be closer, so cells whose k-th chord
    # is not above it get every station within that chord checked.
    chord, idx = tree.query(xyz, k=k)
    _, _, d = geod.inv(np.repeat(lon, k), np.repeat(lat, k), slon[idx.ravel()],
                       slat[idx.ravel()])
    d = d.reshape(-1, k)
    best = d.argmin(axis=1)
    rows = np.arange(len(lon))
    dist, nearest = d[rows, best], idx[rows, best]
    for i in np.flatnonzero(chord[:, -1] <= dist):
        cand = np.asarray(tree.query_ball_point(xyz[i], dist[i] + BAND_M))
        _, _, dc = geod.inv(np.full(len(cand), lon[i]), np.full(len(cand), lat[i]),
                            slon[cand], slat[cand])
        dist[i], nearest[i] = dc.min(), cand[dc.argmin()]

    # Count within radius: chords below radius - band are certainly inside;
    # the few cells with chords in the band get exact geodesics for them.
    n_in = tree.query_ball_point(xyz, radius_m - BAND_M, return_length=True)
    n_out = tree.query_ball_point(xyz, radius_m, return_length=True)
    edge = np.flatnonzero(n_in != n_out)
    lists = tree.query_ball_point(xyz[edge], radius_m)
    ci = np.repeat(edge, [len(x) for x in lists])
    si = np.concatenate(lists).astype(np.intp) if len(lists) else np.empty(0, np.intp)
    in_band = np.linalg.norm(xyz[ci] - sxyz[si], axis=1) > radius_m - BAND_M
    ci, si = ci[in_band], si[in_band]
    _, _, dg = geod.inv(lon[ci], lat[ci], slon[si], slat[si])
    n_within = n_in + np.bincount(ci[dg <= radius_m], minlength=len(lon))
    return dist, nearest, n_within, len(edge)


def coverage(cells, code, names, n_within):
    """Demand total, covered (>= 1 station) and redundant (>= 2) per area."""
    df = pd.DataFrame({"code": code, "total": cells["total"],
                       "covered": cells["total"].where(n_within >= 1, 0),
                       "redundant": cells["total"].where(n_within >= 2, 0)}).dropna()
    g = df.groupby("code").agg(n_cells=("total", "size"), total=("total", "sum"),
                               covered=("covered", "sum"), redundant=("redundant", "sum"))
    g["share"] = g["covered"] / g["total"]
    return g.reindex(names.index, fill_value=0).assign(name=names)


def geodesic_circles(st, radius_m, segments=128):
    """The 16 km circle of every station as a lon/lat polygon of geodesic
    points (pyproj.Geod.fwd at equal azimuths), as libcoverage makes them."""
    geod = pyproj.Geod(ellps="GRS80")
    n = len(st)
    az = np.tile(np.arange(segments) * 360.0 / segments, n)
    lon, lat, _ = geod.fwd(np.repeat(st["lon"].to_numpy(), segments),
                           np.repeat(st["lat"].to_numpy(), segments), az,
                           np.full(n * segments, radius_m))
    ring = np.stack([lon, lat], axis=1).reshape(n, segments, 2)
    ring = np.concatenate([ring, ring[:, :1]], axis=1)
    return shapely.polygons(ring)


def polygons(areas, cells, code, n_within, st, radius_m):
    """What ``zaitaku coverage`` writes beside the tables: per area the land
    within 16 km of a station (service area) and the rest (gap, with the
    demand of the cells out of reach), in an equal-area projection centred
    on the areas for the overlays and areas, written back in lon/lat."""
    b = areas.total_bounds
    crs = (f"+proj=laea +lat_0={(b[1] + b[3]) / 2} +lon_0={(b[0] + b[2]) / 2} "
           "+ellps=GRS80 +units=m +no_defs")
    circles = gpd.GeoSeries(geodesic_circles(st, radius_m), crs="EPSG:6668").to_crs(crs)
    reached = shapely.union_all(circles.to_numpy())
    land = areas.to_crs(crs)
    covered = shapely.intersection(land.geometry.to_numpy(), reached)
    gap = shapely.difference(land.geometry.to_numpy(), reached)
    out_of_reach = pd.Series(cells["total"].where(n_within == 0, 0).to_numpy()).groupby(
        code.to_numpy()).sum()
    base = pd.DataFrame({"region_id": land["iryoken2_code"], "region_name": land["iryoken2_name"],
                         "kind": "nursing"})
    service = gpd.GeoDataFrame(base.assign(area_km2=shapely.area(covered) / 1e6),
                               geometry=covered, crs=crs)
    gaps = gpd.GeoDataFrame(base.assign(area_km2=shapely.area(gap) / 1e6,
                                        n_parts=shapely.get_num_geometries(gap),
                                        demand_uncovered=out_of_reach.reindex(
                                            land["iryoken2_code"]).fillna(0).to_numpy()),
                            geometry=gap, crs=crs)
    keep = lambda f: f[f.area_km2 > 0].to_crs("EPSG:6668")  # noqa: E731
    return keep(service), keep(gaps), shapely.area(land.geometry.to_numpy()) / 1e6


def write_outputs(out, cells, code, method, snap, st, nearest, dist, n_within, cov, land_km2,
                  service, gaps):
    """coverage.csv, reach.csv, gaps.shp and service_areas.shp, as the CLI."""
    out.mkdir(parents=True, exist_ok=True)
    cov = cov.assign(area_km2=land_km2, area_covered_km2=service.set_index("region_id")
                     .area_km2.reindex(cov.index).fillna(0).to_numpy())
    cov.rename_axis("region_id").reset_index().to_csv(out / "coverage.csv", index=False)
    pd.DataFrame({"demand_id": cells["code"], "region_id": code.fillna(""), "kind": "nursing",
                  "nearest_id": st["id"].to_numpy()[nearest], "distance_m": dist,
                  "n_within": n_within}).to_csv(out / "reach.csv", index=False,
                                                float_format="%.17g")
    gaps.to_file(out / "gaps.shp", engine="pyogrio", encoding="utf-8")
    service.to_file(out / "service_areas.shp", engine="pyogrio", encoding="utf-8")


def versions():
    v = {"python": platform.python_version(), "geos": shapely.geos_version_string,
         "proj": pyproj.proj_version_str}
    for p in ("numpy", "pandas", "geopandas", "shapely", "pyproj", "scipy", "pyogrio"):
        v[p] = metadata.version(p)
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the JSON summary here instead of stdout")
    ap.add_argument("--cells", help="also write per-cell results to this CSV (untimed)")
    ap.add_argument("--dissolve", choices=["coverage", "unary"], default="coverage",
                    help="dissolve method; N03 is a valid polygon coverage (checked "
                         "with shapely.coverage_is_valid), so coverage union is exact")
    ap.add_argument("--polygons", metavar="OUT_DIR",
                    help="also make the gap and service-area polygons and write what "
                         "zaitaku coverage writes (coverage.csv with areas, reach.csv, "
                         "gaps.shp, service_areas.shp) into OUT_DIR, timed")
    args = ap.parse_args()
    data = shared_data_dir()

    t, clock = {}, time.perf_counter
    t0 = last = clock()

    def lap(stage):
        nonlocal last
        now = clock()
        t[stage], last = now - last, now

    areas, parts, n_munis = read_regions(data, args.dissolve)
    lap("regions")
    cells = read_mesh(data)
    lap("demand")
    st, st_info = load_stations(data / STATIONS)
    lap("facilities")
    code, method, snap = assign(cells, areas, parts)
    lap("assign")
    dist, nearest, n_within, n_band = reach(cells, st, RADIUS_M)
    lap("reach")
    names = areas.set_index("iryoken2_code")["iryoken2_name"]
    cov = coverage(cells, code, names, n_within)
    lap("coverage")
    if args.polygons:
        service, gaps, land_km2 = polygons(areas, cells, code, n_within, st, RADIUS_M)
        lap("polygons")
        write_outputs(Path(args.polygons), cells, code, method, snap, st, nearest, dist,
                      n_within, cov, land_km2, service, gaps)
        lap("write")
    t["total"] = clock() - t0

    unassigned = code.isna().to_numpy()
    summary = {
        "implementation": "peer (geopandas/shapely/scipy/pyproj)",
        "versions": versions(),
        "radius_m": RADIUS_M,
        "timings_s": t,
        "n_municipalities": n_munis,
        "n_areas": len(areas),
        "n_cells": len(cells),
        "n_cells_inside": int((method == "inside").sum()),
        "n_cells_snapped": int((method == "snapped").sum()),
        "n_cells_unassigned": int(unassigned.sum()),
        "demand_unassigned": float(cells["total"][unassigned].sum()),
        "n_stations": len(st),
        "stations": st_info,
        "n_cells_covered": int((n_within >= 1).sum()),
        "n_pairs_within": int(n_within.sum()),
        "n_cells_band": n_band,
        "nearest_m": {"max": float(dist.max()), "mean": float(dist.mean())},
        "demand_total": float(cov["total"].sum()),
        "demand_covered": float(cov["covered"].sum()),
        "share_covered": float(cov["covered"].sum() / cov["total"].sum()),
        "areas": [{"code": c, "name": r["name"], "n_cells": int(r["n_cells"]),
                   "total": float(r["total"]), "covered": float(r["covered"]),
                   "redundant": float(r["redundant"]), "share": float(r["share"])}
                  for c, r in cov.iterrows()],
    }
    text = json.dumps(summary, ensure_ascii=False, indent=1)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    if args.cells:
        pd.DataFrame({"demand_id": cells["code"], "region_id": code.fillna(""),
                      "method": method, "snap_distance_m": snap,
                      "nearest_id": st["id"].to_numpy()[nearest], "distance_m": dist,
                      "n_within": n_within}).to_csv(args.cells, index=False,
                                                    float_format="%.17g")


if __name__ == "__main__":
    main()
