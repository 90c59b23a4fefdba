"""Write a large synthetic road network as a line shapefile, deterministically.

The network is a jittered square grid of junctions (``--side`` squared of them, 1024 x 1024 =
1,048,576 by default, 100 m apart) in JGD2011 plane-rectangular zone XII (EPSG:6680, metres),
drawn the way real road layers are, so that a graph builder has real work to do:

- streets are long polylines running along a grid row or column through many junctions, so
  crossing streets meet at *interior* vertices, not at line ends (as in the Sapporo layer);
- some segments carry an extra shape vertex (a bend) that is not a junction;
- about 4 % of the residential segments are missing, which cuts streets and leaves dead ends;
- streets are digitised in either direction; 8 % of residential and tertiary runs are one-way,
  half ``F`` (along the digitised direction), half ``T`` (against it);
- short ``service`` spurs leave 2 % of the junctions; a third of them start 0.4 m away from
  the junction (a near miss that only a node tolerance joins);
- 300 small detached fragments (three segments each) lie beyond the grid's east edge;
- fields follow the Geofabrik OSM schema: ``osm_id``, ``fclass`` (primary every 20th row and
  column, secondary every 10th, tertiary every 5th, residential otherwise), ``name``,
  ``oneway`` (B/F/T) and ``maxspeed`` (km/h, 0 when unknown, as Geofabrik writes it).

Usage::

    python bench/net/make_grid.py OUT.shp [--side 1024] [--spacing-m 100] [--seed 1]

Prints one JSON line: lines written, grid junctions, vertices.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
import pyogrio.raw
import shapely
from pyproj import CRS

CLASS_BY_PERIOD = ((20, "primary", 60), (10, "secondary", 50), (5, "tertiary", 40))
REMOVED_SHARE = 0.04
ONEWAY_SHARE = 0.08
BEND_SHARE = 0.15
SPUR_SHARE = 0.02
NEAR_MISS_M = 0.4
N_FRAGMENTS = 300


def street_class(k: int) -> tuple[str, int]:
    """Road class and posted speed of grid row or column ``k``."""
    for period, fclass, speed in CLASS_BY_PERIOD:
        if k % period == 0:
            return fclass, speed
    return "residential", 0


class Writer:
    """Collects lines and their Geofabrik fields, then writes them in one call."""

    def __init__(self) -> None:
        self.parts: list[np.ndarray] = []
        self.fclass: list[str] = []
        self.oneway: list[str] = []
        self.maxspeed: list[int] = []
        self.name: list[str] = []

    def add(self, coords: np.ndarray, fclass: str, oneway: str, maxspeed: int, name: str) -> None:
        self.parts.append(coords)
        self.fclass.append(fclass)
        self.oneway.append(oneway)
        self.maxspeed.append(maxspeed)
        self.name.append(name)

    def write(self, path: str, crs: str) -> int:
        counts = np.fromiter((len(p) for p in self.parts), dtype=np.int64, count=len(self.parts))
        coords = np.concatenate(self.parts)
        lines = shapely.linestrings(coords, indices=np.repeat(np.arange(len(counts)), counts))
        n = len(self.parts)
        pyogrio.raw.write(
            path,
            geometry=shapely.to_wkb(lines),
            field_data=[
                np.array([str(100000000 + i) for i in range(n)], dtype=object),
                np.array(self.fclass, dtype=object),
                np.array(self.name, dtype=object),
                np.array(self.oneway, dtype=object),
                np.array(self.maxspeed, dtype=np.int32),
            ],
            fields=["osm_id", "fclass", "name", "oneway", "maxspeed"],
            driver="ESRI Shapefile",
            geometry_type="LineString",
            crs=CRS(crs).to_wkt("WKT1_ESRI"),
            encoding="UTF-8",
        )
        return int(counts.sum())


def grid_streets(out: Writer, rng: np.random.Generator, xy: np.ndarray, spacing: float) -> None:
    """Cut every grid row and column into street polylines (see the module docstring)."""
    side = xy.shape[0]
    for axis in (0, 1):
        for k in range(side):
            pts = xy[:, k] if axis == 0 else xy[k, :]  # junctions along this street, in order
            fclass, speed = street_class(k)
            minor = fclass == "residential"
            removed = (rng.random(side - 1) < REMOVED_SHARE) if minor else np.zeros(side - 1, bool)
            # Interleave a bend vertex after some junctions: key 2i is junction i, 2i+1 a bend.
            bend = rng.random(side - 1) < BEND_SHARE
            normal = np.array([-(pts[1:, 1] - pts[:-1, 1]), pts[1:, 0] - pts[:-1, 0]]).T
            normal /= np.linalg.norm(normal, axis=1)[:, None]
            mids = (pts[1:] + pts[:-1]) / 2 + normal * rng.uniform(-0.08, 0.08, (side - 1, 1)) * spacing
            seq = np.empty((2 * side - 1, 2))
            seq[0::2] = pts
            seq[1::2] = mids
            keep = np.ones(2 * side - 1, bool)
            keep[1::2] = bend
            # Runs end at a removed segment or at a random cut (every 2-30 junctions).
            i = 0
            while i < side - 1:
                if removed[i]:
                    i += 1
                    continue
                j = min(i + int(rng.integers(2, 31)), side - 1)
                gap = np.flatnonzero(removed[i:j])
                if gap.size:
                    j = i + int(gap[0])
                sel = np.flatnonzero(keep[2 * i:2 * j + 1]) + 2 * i
                coords = seq[sel]
                if rng.random() < 0.5:
                    coords = coords[::-1]
                oneway = "B"
                if fclass in ("residential", "tertiary") and rng.random() < ONEWAY_SHARE:
                    oneway = "F" if rng.random() < 0.5 else "T"
                maxspeed = speed if not minor else (30 if rng.random() < 0.1 else 0)
                name = "" if minor else f"{'東西南北'[axis * 2 + (k % 2)]}{k}条通"
                out.add(coords, fclass, oneway, maxspeed, name)
                i = j


def spurs_and_fragments(out: Writer, rng: np.random.Generator, xy: np.ndarray, spacing: float) -> None:
    """Service spurs off some junctions (some a near miss) and detached fragments."""
    side = xy.shape[0]
    flat = xy.reshape(-1, 2)
    picks = np.flatnonzero(rng.random(len(flat)) < SPUR_SHARE)
    angles = rng.uniform(0, 2 * np.pi, len(picks))
    lengths = rng.uniform(0.15, 0.35, len(picks)) * spacing
    miss = rng.random(len(picks)) < 1 / 3
    for p, a, length, m in zip(picks, angles, lengths, miss):
        d = np.array([np.cos(a), np.sin(a)])
        start = flat[p] + (d * NEAR_MISS_M if m else 0.0)
        out.add(np.array([start, flat[p] + d * length]), "service", "B", 0, "")
    east = xy[-1, :, 0].max() + 5 * spacing
    south, north = xy[:, 0, 1].min(), xy[:, -1, 1].max()
    for _ in range(N_FRAGMENTS):
        x0 = east + rng.uniform(0, 20 * spacing)
        y0 = rng.uniform(south, north)
        steps = rng.normal(0, spacing / 2, (3, 2))
        coords = np.vstack([[x0, y0], [x0, y0] + np.cumsum(steps, axis=0)])
        out.add(coords, "track", "B", 0, "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="output .shp path")
    ap.add_argument("--side", type=int, default=1024, help="junctions per grid side (default 1024)")
    ap.add_argument("--spacing-m", type=float, default=100.0, help="grid spacing in metres")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--crs", default="EPSG:6680", help="a metre CRS (default JGD2011 zone XII)")
    args = ap.parse_args(argv)
    if args.side < 2 or args.spacing_m <= 0:
        ap.error("--side must be >= 2 and --spacing-m > 0")
    t0 = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    s = args.spacing_m
    # Origin near Sapporo in zone XII; jitter up to 0.3 spacing keeps the grid's topology.
    ii, jj = np.meshgrid(np.arange(args.side), np.arange(args.side), indexing="ij")
    xy = np.stack([-80000.0 + ii * s, -110000.0 + jj * s], axis=-1)
    xy += rng.uniform(-0.3, 0.3, xy.shape) * s
    out = Writer()
    grid_streets(out, rng, xy, s)
    spurs_and_fragments(out, rng, xy, s)
    n_vertices = out.write(args.out, args.crs)
    print(json.dumps({"path": args.out, "lines": len(out.parts), "grid_junctions": args.side ** 2,
                      "vertices": n_vertices, "seconds": round(time.perf_counter() - t0, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
