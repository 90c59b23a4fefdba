"""Road-network benchmark harness: libcoverage's bench_net and pgRouting side by side.

For each network: bench_net builds the graph, picks the sources, runs bounded Dijkstra
(multi-source nearest and per-source reach sets) and writes its graph and results; then
pgrouting_peer.py runs pgr_drivingDistance on the very same edges, sources and cutoff, and
compare.py checks that both found the same reach sets and nearest costs. Prints a table
(markdown with --markdown) and one JSON line per network. Run through bench/run_net.sh, which
builds bench_net and the virtual environment first.

The real networks come from COV_SHARED_DATA (default ../shared/data) and are skipped, with a
message, when absent; the generated grid (make_grid.py) is written to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# name, path under the shared data, CRS to pass (None: the .prj), sources, cutoff in metres
REAL = [
    ("sapporo", "raw/roads-sapporo-authorized-road-geomonly/sapporo_authorized_road_202111.shp",
     "EPSG:2454", 100, 5000.0),
    ("osaka-abeno", "raw/roads-osaka-abeno-osm2025/"
     "osaka_abeno_overpass_20250616_roads_geofabrik_schema.shp", None, 20, 1500.0),
    ("liechtenstein", "raw/roads-bench-valhalla-osm/"
     "liechtenstein-latest_roads_geofabrik_schema.shp", None, 50, 5000.0),
]


TIMES = ("build_s", "multi_s", "per_source_s", "setup_s")


def last_json(text: str, what: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"{what} printed no JSON line")


def run(cmd: list[str], what: str) -> dict:
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode not in (0, 1) or not r.stdout.strip():
        raise RuntimeError(f"{what} failed ({r.returncode}): {r.stderr.strip()[-2000:]}")
    if r.stderr.strip():
        sys.stderr.write(r.stderr)
    return last_json(r.stdout, what)


def one(name: str, shp: Path, crs: str | None, n_sources: int, cutoff: float, args,
        work: Path) -> dict:
    out = work / name
    out.mkdir(parents=True, exist_ok=True)
    cmd = [args.bench_net, str(shp), "--sources", str(n_sources), "--seed", str(args.seed),
           "--cutoff-m", repr(cutoff), "--out", str(out), "--runs", str(args.runs)]
    if crs:
        cmd[2:2] = ["--crs", crs]
    ours = None
    for _ in range(args.runs):  # fastest run counts, per stage (and bench_net takes its best of R)
        r = run(cmd, f"bench_net {name}")
        ours = r if ours is None else {k: min(v, r[k]) if k in TIMES else v
                                       for k, v in ours.items()}
    peer = run([sys.executable, str(HERE / "pgrouting_peer.py"), str(out), "--cutoff",
                repr(cutoff), "--runs", str(args.runs)], f"pgrouting_peer {name}")
    cmp = run([sys.executable, str(HERE / "compare.py"), str(out)], f"compare {name}")
    return {"network": name, "sources": n_sources, "cutoff_m": cutoff, "ours": ours,
            "peer": peer, "compare": cmp}


def table(rows: list[dict]) -> str:
    """Markdown table. Setup is the fixed cost of one call on each side (the same call with
    cutoff 0: edge costs and node arrays for libcoverage; the edges query and building the
    Boost graph for pgRouting); "search only" subtracts it from the call."""
    head = ("| network | nodes | edges | sources | cutoff (m) | search | settled | "
            "libcoverage (s) | of it setup (s) | settled/s | settled/s search only | "
            "pgRouting (s) | of it setup (s) | settled/s | ratio | ratio search only | "
            "same result |")
    lines = [head, "|" + "---|" * 17]
    for r in rows:
        o, p, c = r["ours"], r["peer"], r["compare"]
        for label, os_, on, ps, pn, same in (
                ("per-source", o["per_source_s"], o["per_source_settled"],
                 p["per_source_s"], p["per_source_settled"], c["reach_identical"]),
                ("multi-source", o["multi_s"], o["multi_settled"], p["multi_s"],
                 p["multi_settled"], c["nearest_identical"])):
            osu, psu = o["setup_s"], p["setup_s"]
            o_only, p_only = max(os_ - osu, 1e-9), max(ps - psu, 1e-9)
            lines.append(
                f"| {r['network']} | {o['n_nodes']:,} | {o['n_edges']:,} | {r['sources']} | "
                f"{r['cutoff_m']:g} | {label} | {on:,} | {os_:.4f} | {osu:.4f} | "
                f"{on / os_ / 1e6:.2f} M | {on / o_only / 1e6:.2f} M | {ps:.4f} | {psu:.4f} | "
                f"{pn / ps / 1e6:.3f} M | {ps / os_:.0f}x | {p_only / o_only:.0f}x | "
                f"{'yes' if same else 'NO'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench-net", required=True, help="path of the bench_net executable")
    ap.add_argument("--runs", type=int, default=3, help="runs per side; the fastest counts")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--grid-side", type=int, default=1024, help="generated grid: junctions per side")
    ap.add_argument("--grid-sources", type=int, default=200)
    ap.add_argument("--grid-cutoff-m", type=float, default=5000.0)
    ap.add_argument("--only", nargs="*", help="networks to run (sapporo osaka-abeno "
                    "liechtenstein grid); default all")
    ap.add_argument("--keep", type=Path, help="keep the work files in this folder")
    ap.add_argument("--markdown", type=Path, help="also write the table here")
    args = ap.parse_args(argv)
    data = Path(os.environ.get("COV_SHARED_DATA", ROOT.parent / "shared" / "data"))
    work = args.keep or Path(tempfile.mkdtemp(prefix="netbench-"))
    work.mkdir(parents=True, exist_ok=True)
    wanted = set(args.only or ["sapporo", "osaka-abeno", "liechtenstein", "grid"])
    rows, failed = [], False
    try:
        for name, rel, crs, n, cutoff in REAL:
            if name not in wanted:
                continue
            shp = data / rel
            if not shp.is_file():
                print(f"run_net: skipping {name}: {shp} not found (set COV_SHARED_DATA)",
                      file=sys.stderr)
                continue
            rows.append(one(name, shp, crs, n, cutoff, args, work))
            print(json.dumps(rows[-1]), flush=True)
        if "grid" in wanted:
            shp = work / "grid" / "grid.shp"
            shp.parent.mkdir(parents=True, exist_ok=True)
            gen = run([sys.executable, str(HERE / "make_grid.py"), str(shp), "--side",
                       str(args.grid_side), "--seed", str(args.seed)], "make_grid")
            print(json.dumps(gen), flush=True)
            rows.append(one("grid", shp, None, args.grid_sources, args.grid_cutoff_m, args,
                            work / "grid"))
            print(json.dumps(rows[-1]), flush=True)
    except RuntimeError as e:
        print(f"run_net: error: {e}", file=sys.stderr)
        failed = True
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if rows:
        t = table(rows)
        print(t)
        if args.markdown:
            args.markdown.write_text(t + "\n")
    same = all(r["compare"]["reach_identical"] and r["compare"]["nearest_identical"] for r in rows)
    return 1 if failed or not same else 0


if __name__ == "__main__":
    sys.exit(main())
