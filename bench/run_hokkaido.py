#!/usr/bin/env python3
"""Runs the Hokkaido reach + coverage benchmark in libcoverage (bench_hokkaido)
and in the geopandas peer (peer_hokkaido.py), checks that they agree and
prints a Markdown report (also written to --markdown FILE).

Each program runs --warmup times untimed, then --runs times; the run with the
lowest total counts. The first run of each also writes per-cell results (after
its timing ends) so that disagreements can be traced to single cells.
Needs the real data (COV_SHARED_DATA, default ../shared/data beside the
project root) and the peer's packages (bench/requirements.txt).
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import peer_hokkaido as peer  # noqa: E402  (data paths, station filter, centroids)

STAGES = [("regions", "read N03, dissolve to municipalities and areas"),
          ("demand", "read 500 m mesh CSV, centroids"),
          ("facilities", "read stations JSON, filter"),
          ("assign", "cells to areas (inside, snap <= 1 km)"),
          ("reach", "nearest station and count within 16 km"),
          ("coverage", "demand covered per area"),
          ("total", "all of the above")]
COUNTS = ["n_municipalities", "n_areas", "n_cells", "n_cells_inside", "n_cells_snapped",
          "n_cells_unassigned", "demand_unassigned", "n_stations", "n_cells_covered",
          "n_pairs_within", "demand_total", "demand_covered"]
DIST_TOL_M = 1e-3  # nearest distances agree to a millimetre
CREDIT = ("Data: 「国土数値情報（行政区域データ）」（国土交通省）を加工して作成; "
          "総務省 平成22年国勢調査 世界測地系500mメッシュ (e-Stat, via colspan/opendata-jp); "
          "「介護サービス情報公表システム（厚生労働省）のデータを基に作成」 (via osawa-ux/houmonkango-navi); "
          "二次医療圏: 北海道医療計画.")


def run(cmd, env, runs, warmup, cells, tmp, tag):
    """Best run (lowest total) of cmd; the first run also writes cells."""
    results = []
    for i in range(warmup + runs):
        out = tmp / f"{tag}-{i}.json"
        extra = ["--cells", str(cells)] if i == 0 else []
        p = subprocess.run(cmd + ["--json", str(out)] + extra, env=env,
                           stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            sys.exit(f"run_hokkaido: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
        results.append(json.loads(out.read_text(encoding="utf-8")))
    timed = results[warmup:]
    best = min(timed, key=lambda r: r["timings_s"]["total"])
    best["all_totals"] = [r["timings_s"]["total"] for r in timed]
    best["stderr"] = p.stderr.strip()
    return best


def machine():
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    return f"{model}; nproc {usable} (of {os.cpu_count()}); {platform.platform()}"


def compare(p, c, p_cells, c_cells):
    """Lines describing every disagreement; empty when they agree."""
    diffs = [f"- {k}: peer {p[k]} vs libcoverage {c.get(k)}"
             for k in COUNTS if p[k] != c.get(k)]
    for k in ("max", "mean"):
        if abs(p["nearest_m"][k] - c["nearest_m"][k]) > DIST_TOL_M:
            diffs.append(f"- nearest_m.{k}: peer {p['nearest_m'][k]:.3f} vs "
                         f"libcoverage {c['nearest_m'][k]:.3f}")
    pa = {a["code"]: a for a in p["areas"]}
    ca = {a["code"]: a for a in c["areas"]}
    for code in sorted(pa.keys() | ca.keys()):
        a, b = pa.get(code), ca.get(code)
        if a is None or b is None:
            diffs.append(f"- area {code}: only in {'libcoverage' if a is None else 'peer'}")
            continue
        for k in ("name", "n_cells", "total", "covered", "redundant"):
            if a[k] != b[k]:
                diffs.append(f"- area {code} {a['name']} {k}: peer {a[k]!r} vs "
                             f"libcoverage {b[k]!r}")
    return diffs + cell_diffs(p_cells, c_cells)


def cell_diffs(p_path, c_path, limit=30):
    """Cells assigned differently, or whose count within 16 km or nearest
    distance differ; for count differences, the stations lying within 1 m of
    the 16 km circle (the only way exact computations can disagree)."""
    kw = dict(dtype={"demand_id": str, "region_id": str, "nearest_id": str},
              keep_default_na=False, na_values=[""])
    m = pd.read_csv(p_path, **kw).merge(pd.read_csv(c_path, **kw), on="demand_id",
                                        how="outer", suffixes=("_p", "_c"), indicator=True)
    out = [f"- cell {r.demand_id}: only in {'peer' if r._merge == 'left_only' else 'libcoverage'}"
           for r in m[m["_merge"] != "both"].itertuples()][:limit]
    m = m[m["_merge"] == "both"]
    reg = m[m["region_id_p"].fillna("") != m["region_id_c"].fillna("")]
    for r in reg.head(limit).itertuples():
        out.append(f"- cell {r.demand_id} area: peer {r.region_id_p} ({r.method_p}, "
                   f"{r.snap_distance_m_p:.2f} m) vs libcoverage {r.region_id_c} "
                   f"({r.method_c}, {r.snap_distance_m_c:.2f} m)")
    far = m[(m["distance_m_p"] - m["distance_m_c"]).abs() > DIST_TOL_M]
    for r in far.head(limit).itertuples():
        out.append(f"- cell {r.demand_id} nearest: peer {r.nearest_id_p} "
                   f"{r.distance_m_p:.4f} m vs libcoverage {r.nearest_id_c} {r.distance_m_c:.4f} m")
    cnt = m[m["n_within_p"] != m["n_within_c"]].head(limit)
    if len(cnt):
        st, _ = peer.load_stations(peer.shared_data_dir() / peer.STATIONS)
        geod = pyproj.Geod(ellps="GRS80")
        lon, lat = peer.mesh_centroids(cnt["demand_id"].astype(np.int64))
        for r, x, y in zip(cnt.itertuples(), lon, lat):
            _, _, d = geod.inv(np.full(len(st), x), np.full(len(st), y), st["lon"], st["lat"])
            edge = ", ".join(f"{i} at {v:.4f} m" for i, v in zip(st["id"], d)
                             if abs(v - peer.RADIUS_M) < 1.0) or "none within 1 m of 16 km"
            out.append(f"- cell {r.demand_id} within 16 km: peer {r.n_within_p} vs "
                       f"libcoverage {r.n_within_c}; stations near the circle: {edge}")
    return out


def fmt(x, nd=3):
    return "n/a" if x is None else f"{x:.{nd}f}"


def report(p, c, diffs, args):
    vp = p["versions"]
    L = ["# Hokkaido reach + coverage within 16 km: libcoverage vs geopandas peer", "",
         "Demand: 2010 census 500 m mesh population (centroids); facilities: visiting-nurse "
         "stations (訪問看護ステーション); regions: the 21 二次医療圏 dissolved from N03 "
         "municipalities. Geodesic distances on GRS80.", "",
         f"- Machine: {machine()}",
         f"- Peer: Python {vp['python']}, " + ", ".join(
             f"{k} {vp[k]}" for k in ("numpy", "pandas", "geopandas", "shapely", "pyproj",
                                      "scipy", "pyogrio", "geos", "proj")),
         "- libcoverage: " + (", ".join(f"{k} {v}" for k, v in c["versions"].items())
                              if c else f"not run ({args.c_bin} not found)"),
         f"- Method: best of {args.runs} runs (lowest total) after {args.warmup} warm-up "
         "run(s); wall-clock seconds including file reading, excluding process start and "
         "Python imports. Totals of all timed runs: peer "
         + ", ".join(f"{x:.3f}" for x in p["all_totals"])
         + ("; libcoverage " + ", ".join(f"{x:.3f}" for x in c["all_totals"]) if c else ""),
         "", "## Timings (s)", "",
         "| stage | what | peer | libcoverage | peer / libcoverage |",
         "|---|---|---:|---:|---:|"]
    for k, what in STAGES:
        tp = p["timings_s"][k]
        tc = c["timings_s"][k] if c else None
        ratio = f"{tp / tc:.1f}x" if tc else "n/a"
        L.append(f"| {k} | {what} | {fmt(tp)} | {fmt(tc)} | {ratio} |")
    L += ["", "## Counts", "", "| | peer | libcoverage |", "|---|---:|---:|"]
    for k in COUNTS:
        L.append(f"| {k} | {p[k]:,.0f} | {c[k]:,.0f} |" if c else f"| {k} | {p[k]:,.0f} | n/a |")
    L.append(f"| stations dropped (outside Hokkaido / missing coordinates) | "
             f"{', '.join(p['stations']['dropped_ids']) or 'none'} | "
             f"{', '.join(c['stations']['dropped_ids']) if c else 'n/a'} |")
    L += ["", "## Demand within 16 km of a station, per 二次医療圏", "",
          "| area | name | cells | demand | covered (peer) | share (peer) "
          "| covered (libcoverage) | share (libcoverage) |",
          "|---|---|---:|---:|---:|---:|---:|---:|"]
    ca = {a["code"]: a for a in c["areas"]} if c else {}
    for a in p["areas"] + [{"code": "all", "name": "", "n_cells": p["n_cells"] -
                            p["n_cells_unassigned"], "total": p["demand_total"],
                            "covered": p["demand_covered"], "share": p["share_covered"]}]:
        b = ca.get(a["code"]) or ({"covered": c["demand_covered"], "share": c["share_covered"]}
                                  if c and a["code"] == "all" else None)
        L.append(f"| {a['code']} | {a['name']} | {a['n_cells']:,} | {a['total']:,.0f} | "
                 f"{a['covered']:,.0f} | {100 * a['share']:.2f} % | "
                 + (f"{b['covered']:,.0f} | {100 * b['share']:.2f} % |" if b else "n/a | n/a |"))
    L += ["", "## Agreement", ""]
    if not c:
        L.append("libcoverage was not run.")
    elif diffs:
        L.append(f"{len(diffs)} difference(s) (cells at exactly 16 km or on area borders "
                 "are the expected causes):")
        L += diffs
    else:
        L.append("Identical: every count, every area's demand, covered and redundant demand, "
                 "and every cell's area, count within 16 km and nearest distance "
                 f"(to {DIST_TOL_M * 1000:g} mm).")
    L += ["", CREDIT, ""]
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--c-bin", default=str(HERE.parent / "build" / "bench" / "bench_hokkaido"))
    ap.add_argument("--python", default=sys.executable, help="interpreter for the peer")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--markdown", help="also write the report to this file")
    ap.add_argument("--strict", action="store_true", help="exit 3 when results differ")
    args = ap.parse_args()
    if args.runs < 1 or args.warmup < 0:
        ap.error("--runs must be >= 1 and --warmup >= 0")

    env = dict(os.environ, COV_SHARED_DATA=str(peer.shared_data_dir()))
    with tempfile.TemporaryDirectory(prefix="cov-bench-") as d:
        tmp = Path(d)
        p = run([args.python, str(HERE / "peer_hokkaido.py")], env, args.runs, args.warmup,
                tmp / "peer-cells.csv", tmp, "peer")
        c, diffs = None, []
        if Path(args.c_bin).is_file() and os.access(args.c_bin, os.X_OK):
            c = run([args.c_bin], env, args.runs, args.warmup, tmp / "c-cells.csv", tmp, "c")
            diffs = compare(p, c, tmp / "peer-cells.csv", tmp / "c-cells.csv")
        else:
            print(f"run_hokkaido: {args.c_bin} not found: reporting the peer only "
                  "(build with cmake -DCOV_BUILD_EXAMPLES=ON, or pass --c-bin)", file=sys.stderr)
    for r in (p, c):
        if r and r["stderr"]:
            print(f"[{r['implementation']} stderr]\n{r['stderr']}", file=sys.stderr)
    text = report(p, c, diffs, args)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text, encoding="utf-8")
    if args.strict and diffs:
        sys.exit(3)


if __name__ == "__main__":
    main()
