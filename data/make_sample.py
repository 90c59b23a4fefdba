#!/usr/bin/env python3
"""Generate the fictional sample data set of libcoverage / zaitaku.

サンプル県 (prefecture code 99) is an invented prefecture placed in open sea
(Sea of Japan, around lon 136.8, lat 40.0) where no real land lies, so that it
can never be mistaken for real data.  The script uses the Python standard
library only and is deterministic: running it twice gives byte-identical
files.

    python3 data/make_sample.py            # writes data/sample/
    python3 data/make_sample.py --out DIR  # writes DIR/

How the geometry is made: land is defined on a raster aligned with the JIS X
0410 mesh (a pixel is 15" x 10", one third of a 1 km cell each way, so a cell's
centroid is always a pixel centre).  Mainland pixels go to municipalities by a
weighted, smoothly warped Voronoi diagram; the raster is then cleaned so that
every municipality part is 4-connected and no label meets itself only at a
corner.  Each label's pixel boundary is traced into rings (the label always on
the right, so outer rings are clockwise and holes counter-clockwise), and the
staircase is smoothed by joining the mid-points of the pixel edges, keeping
every vertex where three or more labels meet.  Neighbouring municipalities
therefore share identical vertices, the polygons tile the land exactly, and no
ring can cross or touch another.
"""

import argparse
import csv
import math
import os
import random
import struct
from collections import deque

SEED = 2026

# Raster: SW corner and pixel size, aligned with the JIS X 0410 mesh.
LON0, LAT0 = 136.0, 39.5
PX_PER_DEG_LON, PX_PER_DEG_LAT = 240, 360      # 15" x 10" pixels
NX, NY = 384, 360                               # lon 136.0-137.6, lat 39.5-40.5
# Local kilometre frame used only to shape the land.
CLON, CLAT = 136.8, 40.0
KM_LON = 111.32 * math.cos(math.radians(CLAT))
KM_LAT = 111.05

PREF_NAME = "サンプル県"

# Municipalities: label, code, name, area, seed (km), weight (km), kind.
# kind selects the population model: core / urban / town / rural / mountain / island.
MUNIS = [
    (1, "99201", "中央市", "9901", (9.0, -15.0), 0.5, "core"),
    (2, "99202", "港市", "9901", (21.0, -11.0), -1.0, "urban"),
    (3, "99203", "南町", "9901", (-3.0, -17.0), -2.0, "town"),
    (4, "99301", "北町", "9902", (6.0, 14.0), 3.0, "rural"),
    (5, "99302", "東町", "9902", (27.0, 6.0), 3.0, "rural"),
    (6, "99303", "西町", "9902", (-25.0, 3.0), 2.0, "rural"),
    (7, "99304", "浜町", "9902", (-20.0, -14.0), 1.0, "rural"),
    (8, "99321", "山村", "9902", (-6.0, 0.0), 3.0, "mountain"),
    (9, "99322", "川村", "9902", (-17.0, 17.0), 2.0, "mountain"),
    (10, "99381", "島村", "9903", None, 0.0, "island"),
]
AREAS = {
    "9901": "中央在宅医療圏",
    "9902": "北部広域在宅医療圏",
    "9903": "島しょ在宅医療圏",
}
LAB_HAMA, LAB_YAMA, LAB_SHIMA = 7, 8, 10

# A cell whose centroid lies in the sea is kept only when at least this many
# of its 9 pixels are land (one fewer in the urban area), so that a handful of
# populated coastal cells have their centroid just off the coast.
SEA_CELL_MIN_LAND = 5

# Population model: (share of 65+, share of 75+ among 65+).
AGE_MODEL = {
    "core": (0.27, 0.52), "urban": (0.31, 0.53), "town": (0.36, 0.55),
    "rural": (0.41, 0.57), "mountain": (0.47, 0.60), "island": (0.50, 0.62),
}

# Facilities: id, name, kind, capacity (doctors or nurse FTE), municipality label.
# Label None marks the clinic placed off the coast, outside every municipality.
FACILITIES = [
    ("C001", "中央在宅クリニック", "enhanced_single", 4, 1),
    ("C002", "さくら通り内科クリニック", "zaishin", 1, 1),
    ("C003", "駅前ファミリークリニック", "zaishin", 2, 1),
    ("C004", "はまなす在宅診療所", "enhanced_single", 3, 1),
    ("C005", "たんぽぽ医院", "zaishin", 1, 1),
    ("C006", "みどり町内科", "zaishin", 1, 1),
    ("C007", "ひかり在宅医療クリニック", "enhanced_single", 5, 1),
    ("C008", "本町内科医院", "zaishin", 1, 1),
    ("C009", "あおば訪問診療所", "zaishin", 2, 1),
    ("C010", "城山クリニック", "zaishin", 1.5, 1),
    ("C011", "つばき在宅クリニック", "zaishin", 1, 1),
    ("C012", "ながた内科", "zaishin", 1, 1),
    ("C013", "しらかば医院", "zaishin", 1, 1),
    ("C014", "かもめ在宅診療所", "zaishin", 2, 1),
    ("C015", "港町在宅クリニック", "enhanced_single", 3, 2),
    ("C016", "みなと内科医院", "zaishin", 1, 2),
    ("C017", "灯台通り診療所", "zaishin", 1, 2),
    ("C018", "港ファミリークリニック", "zaishin", 2, 2),
    ("C019", "潮見台医院", "zaishin", 1, 2),
    ("C020", "南町診療所", "zaishin", 1, 3),
    ("C021", "ひまわり医院", "zaishin", 1, 3),
    ("C022", "北町クリニック", "zaishin", 1, 4),
    ("C023", "東町在宅医院", "zaishin", 1.5, 5),
    ("C024", "西町国保診療所", "zaishin", 1, 6),
    ("C025", "浜町診療所", "zaishin", 1, 7),
    ("C026", "対岸在宅クリニック", "zaishin", 2, None),
    ("H001", "サンプル県立中央病院", "backup_hospital", 6, 1),
    ("H002", "みなと在宅療養病院", "zaibyo", 3, 2),
    ("H003", "北町立病院", "zaibyo", 2, 4),
    ("N001", "中央訪問看護ステーション", "nursing", 12.5, 1),
    ("N002", "訪問看護ステーションさくら", "nursing", 6.0, 1),
    ("N003", "ひだまり訪問看護ステーション", "nursing", 4.5, 1),
    ("N004", "県看護協会中央訪問看護ステーション", "nursing", 8.0, 1),
    ("N005", "訪問看護ステーションあおぞら", "nursing", 3.5, 1),
    ("N006", "みなと訪問看護ステーション", "nursing", 5.0, 2),
    ("N007", "訪問看護ステーションうみかぜ", "nursing", 2.8, 2),
    ("N008", "南町訪問看護ステーション", "nursing", 3.0, 3),
    ("N009", "北町訪問看護ステーション", "nursing", 2.5, 4),
    ("N010", "訪問看護ステーションやまびこ", "nursing", 3.2, 5),
    ("N011", "西町訪問看護ステーション", "nursing", 2.5, 6),
    ("N012", "島村訪問看護ステーション", "nursing", 2.5, LAB_SHIMA),
]

# Planning attributes (facility id: role, 24-hour flag, beds); the rest have
# no role, an unknown 24-hour flag ("") and no beds. Capacity is written
# again as doctors (clinics, hospitals) or nurse_fte (nursing). 中央 has a
# lead that is also a hub; 北部広域 a hub and no lead; the island neither.
PLANNING = {
    "H001": ("lead;hub", "1", 320), "H002": ("", "1", 120), "H003": ("hub", "1", 60),
    "C001": ("", "1", None), "C004": ("", "1", None), "C007": ("", "1", None),
    "C015": ("", "1", None), "C002": ("", "0", None), "C020": ("", "0", None),
    "C022": ("", "1", None), "C025": ("", "0", None), "N001": ("", "1", None),
    "N006": ("", "1", None), "N009": ("", "0", None), "N012": ("", "1", None),
}

PRJ_WKT = ('GEOGCS["GCS_JGD_2011",DATUM["D_JGD_2011",SPHEROID["GRS_1980",'
           '6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
           'UNIT["Degree",0.0174532925199433]]')
DBF_DATE = (2026, 1, 1)     # fixed, so that the output does not depend on today


# --------------------------------------------------------------------------
# Coordinates

def px_km(i, j):
    """Centre of pixel (i, j) in the local km frame."""
    lon = LON0 + (i + 0.5) / PX_PER_DEG_LON
    lat = LAT0 + (j + 0.5) / PX_PER_DEG_LAT
    return (lon - CLON) * KM_LON, (lat - CLAT) * KM_LAT


def km_px(x, y):
    """Pixel containing the local km point (x, y)."""
    lon = CLON + x / KM_LON
    lat = CLAT + y / KM_LAT
    return (int(math.floor((lon - LON0) * PX_PER_DEG_LON)),
            int(math.floor((lat - LAT0) * PX_PER_DEG_LAT)))


def half_lonlat(hx, hy):
    """Lon/lat of a vertex given in half-pixel units from the raster origin.

    Computed as one division of exact integers, so a vertex shared by two
    rings always gets the same double."""
    return ((LON0 * 2 * PX_PER_DEG_LON + hx) / (2 * PX_PER_DEG_LON),
            (LAT0 * 2 * PX_PER_DEG_LAT + hy) / (2 * PX_PER_DEG_LAT))


def mesh3_code(a, b):
    """JIS X 0410 3rd-level code of the 1 km cell (a, b) counted from the
    raster origin (a eastwards, b northwards)."""
    gi = int(round(LON0 * 80)) + a          # lon in units of 45"
    gj = int(round(LAT0 * 120)) + b         # lat in units of 30"
    p, u = gj // 80, gi // 80 - 100
    q, v = (gj % 80) // 10, (gi % 80) // 10
    r, w = gj % 10, gi % 10
    return "%02d%02d%d%d%d%d" % (p, u, q, v, r, w)


# --------------------------------------------------------------------------
# Smooth noise

class ValueNoise:
    """Bilinear value noise with smoothstep, on a lattice of `spacing` km."""

    def __init__(self, rng, spacing):
        self.s = spacing
        self.x0, self.y0 = -100.0, -80.0
        nx = int(200 / spacing) + 3
        ny = int(160 / spacing) + 3
        self.v = [[rng.uniform(-1.0, 1.0) for _ in range(nx)] for _ in range(ny)]

    def __call__(self, x, y):
        fx = (x - self.x0) / self.s
        fy = (y - self.y0) / self.s
        ix, iy = int(fx), int(fy)
        tx, ty = fx - ix, fy - iy
        tx = tx * tx * (3 - 2 * tx)
        ty = ty * ty * (3 - 2 * ty)
        r0, r1 = self.v[iy], self.v[iy + 1]
        a = r0[ix] + (r0[ix + 1] - r0[ix]) * tx
        b = r1[ix] + (r1[ix + 1] - r1[ix]) * tx
        return a + (b - a) * ty


class Fbm:
    def __init__(self, rng, spacings, amps):
        self.layers = [(ValueNoise(rng, s), a) for s, a in zip(spacings, amps)]

    def __call__(self, x, y):
        return sum(a * n(x, y) for n, a in self.layers)


# --------------------------------------------------------------------------
# Raster helpers

def new_grid(value=0):
    return [[value] * NX for _ in range(NY)]


def components(grid, pred):
    """4-connected components of the pixels where pred(value) holds, as lists
    of (i, j), in scan order of their first pixel."""
    seen = new_grid(False)
    comps = []
    for j in range(NY):
        for i in range(NX):
            if seen[j][i] or not pred(grid[j][i]):
                continue
            comp = []
            seen[j][i] = True
            dq = deque([(i, j)])
            while dq:
                ci, cj = dq.popleft()
                comp.append((ci, cj))
                for ni, nj in ((ci + 1, cj), (ci - 1, cj), (ci, cj + 1), (ci, cj - 1)):
                    if 0 <= ni < NX and 0 <= nj < NY and not seen[nj][ni] \
                            and pred(grid[nj][ni]):
                        seen[nj][ni] = True
                        dq.append((ni, nj))
            comps.append(comp)
    return comps


def lab_at(lab, i, j):
    if 0 <= i < NX and 0 <= j < NY:
        return lab[j][i]
    return 0


def fix_corner_touches(lab):
    """Removes every 2x2 block where one label sits on a diagonal only (its
    two pixels would touch at a corner), which would make invalid rings.
    Returns the number of pixels changed."""
    changed = 0
    for _ in range(100):
        n = 0
        for j in range(NY - 1):
            lo, hi = lab[j], lab[j + 1]
            for i in range(NX - 1):
                bl, br, tl, tr = lo[i], lo[i + 1], hi[i], hi[i + 1]
                if bl == tr and br != bl and tl != bl:
                    if bl != 0:                 # land on the diagonal: join it
                        if br == 0 or tl != 0:
                            lo[i + 1] = bl
                        else:
                            hi[i] = bl
                    else:                       # sea on the diagonal: fill it
                        lo[i] = br
                    n += 1
                elif br == tl and bl != br and tr != br:
                    if br != 0:
                        if bl == 0 or tr != 0:
                            lo[i] = br
                        else:
                            hi[i + 1] = br
                    else:
                        lo[i + 1] = bl
                    n += 1
        changed += n
        if n == 0:
            return changed
    raise RuntimeError("corner touches did not converge")


def merge_fragments(lab, keep_pixels):
    """Gives every municipality fragment that is not its main part (the
    largest 4-connected part, or one containing a pixel of keep_pixels) to
    the neighbour it shares most pixel edges with.  Returns pixels changed."""
    changed = 0
    for mlab in [m[0] for m in MUNIS]:
        comps = components(lab, lambda v, L=mlab: v == L)
        if not comps:
            continue
        biggest = max(range(len(comps)), key=lambda k: len(comps[k]))
        for k, comp in enumerate(comps):
            if k == biggest or any(p in keep_pixels for p in comp):
                continue
            votes = {}
            for ci, cj in comp:
                for ni, nj in ((ci + 1, cj), (ci - 1, cj), (ci, cj + 1), (ci, cj - 1)):
                    v = lab_at(lab, ni, nj)
                    if v not in (0, mlab):
                        votes[v] = votes.get(v, 0) + 1
            target = max(sorted(votes), key=lambda v: votes[v]) if votes else 0
            for ci, cj in comp:
                lab[cj][ci] = target
            changed += len(comp)
    return changed


def depth_inside(lab, L):
    """For every pixel of label L, the 4-step distance to the nearest pixel
    that is not L (multi-source BFS)."""
    dist = new_grid(-1)
    dq = deque()
    for j in range(NY):
        for i in range(NX):
            if lab[j][i] != L:
                dist[j][i] = 0
                dq.append((i, j))
    while dq:
        ci, cj = dq.popleft()
        for ni, nj in ((ci + 1, cj), (ci - 1, cj), (ci, cj + 1), (ci, cj - 1)):
            if 0 <= ni < NX and 0 <= nj < NY and dist[nj][ni] < 0:
                dist[nj][ni] = dist[cj][ci] + 1
                dq.append((ni, nj))
    return dist


# --------------------------------------------------------------------------
# Land and municipalities

def make_land(rng):
    """Returns (grid of 0 sea, 1 mainland, 2 island, 3 islet; island centre
    in km; islet centre in km)."""
    coast = Fbm(rng, [9.0, 4.5, 2.2, 1.1], [0.15, 0.09, 0.05, 0.03])
    harm = [(rng.uniform(-1, 1) * 0.11 / k ** 0.9, rng.uniform(0, 2 * math.pi))
            for k in range(2, 11)]

    def mainland(x, y):
        u, v = x / 35.0, y / 25.0
        rho = math.hypot(u, v)
        th = math.atan2(v, u)
        r = 1.0 + sum(a * math.cos(k * th + ph) for k, (a, ph) in
                      zip(range(2, 11), harm))
        r += coast(x, y)
        inside = rho < r
        # a north-eastern peninsula, tapering towards its cape
        px, py = x - 28.0, y - 16.0
        along = px * 0.8 + py * 0.6
        across = -px * 0.6 + py * 0.8 + 1.2 * math.sin(along / 2.5)
        if -6.0 < along < 12.0 and \
                abs(across) < 2.8 - 0.17 * along + 1.5 * coast(x + 40, y):
            inside = True
        # the bay of 中央市
        if ((x - 10.0) / 4.5) ** 2 + ((y + 22.5) / 3.2) ** 2 < 1.0 + 2.0 * coast(y, x):
            inside = False
        return inside

    land = new_grid(0)
    for j in range(NY):
        for i in range(NX):
            x, y = px_km(i, j)
            if abs(x) < 50 and abs(y) < 40 and mainland(x, y):
                land[j][i] = 1
    keep_only_components(land, [km_px(0.0, 0.0)])

    # The island: about 10 km x 6 km, about 15 km off the west coast.
    yi = 9.0
    west = min(px_km(i, j)[0] for j in range(NY) for i in range(NX)
               if land[j][i] and abs(px_km(i, j)[1] - yi) < 3.0)
    xi = west - 15.0 - 5.0
    isl = Fbm(rng, [3.0, 1.5, 0.8], [0.18, 0.10, 0.05])
    rot = math.radians(18.0)
    for j in range(NY):
        for i in range(NX):
            x, y = px_km(i, j)
            dx, dy = x - xi, y - yi
            if abs(dx) > 9 or abs(dy) > 9:
                continue
            a = (dx * math.cos(rot) + dy * math.sin(rot)) / 5.0
            b = (-dx * math.sin(rot) + dy * math.cos(rot)) / 3.0
            if math.hypot(a, b) < 1.0 + isl(x, y):
                land[j][i] = 2

    # The islet of 浜町: walk from its seed to the sea, then 2.5 km further.
    sx, sy = next(m[4] for m in MUNIS if m[0] == LAB_HAMA)
    dx, dy = -0.45, -0.89
    t = 0.0
    sea_run = 0
    while sea_run < 8:
        t += 0.1
        i, j = km_px(sx + dx * t, sy + dy * t)
        sea_run = sea_run + 1 if land[j][i] == 0 else 0
    t -= 0.8                                   # back to the coast
    cx, cy = sx + dx * (t + 3.3), sy + dy * (t + 3.3)
    for j in range(NY):
        for i in range(NX):
            x, y = px_km(i, j)
            if ((x - cx) / 1.0) ** 2 + ((y - cy) / 0.6) ** 2 < 1.0:
                land[j][i] = 3
    keep_only_components(land, [km_px(0.0, 0.0), km_px(xi, yi), km_px(cx, cy)])
    fill_lakes(land)
    return land, (xi, yi), (cx, cy)


def keep_only_components(grid, seeds):
    comps = components(grid, lambda v: v != 0)
    for comp in comps:
        if not any(s in comp for s in seeds):
            for i, j in comp:
                grid[j][i] = 0


def fill_lakes(grid):
    """Turns sea pixels not 4-connected to the raster border into land."""
    for comp in components(grid, lambda v: v == 0):
        if not any(i in (0, NX - 1) or j in (0, NY - 1) for i, j in comp):
            for i, j in comp:
                grid[j][i] = 1


def make_municipalities(rng, land, islet_c):
    warp = Fbm(rng, [14.0, 6.0], [3.0, 1.2])
    warp2 = Fbm(rng, [14.0, 6.0], [3.0, 1.2])
    seeds = [(m[0], m[4], m[5]) for m in MUNIS if m[4] is not None]
    lab = new_grid(0)
    for j in range(NY):
        for i in range(NX):
            v = land[j][i]
            if v == 0:
                continue
            if v == 2:
                lab[j][i] = LAB_SHIMA
                continue
            if v == 3:
                lab[j][i] = LAB_HAMA
                continue
            x, y = px_km(i, j)
            wx, wy = x + warp(x, y), y + warp2(x, y)
            best, bd = 0, 1e9
            for L, (sx, sy), w in seeds:
                d = math.hypot(wx - sx, wy - sy) - w
                if d < bd:
                    best, bd = L, d
            lab[j][i] = best
    islet_px = {km_px(*islet_c)}
    for _ in range(20):
        n = merge_fragments(lab, islet_px) + fix_corner_touches(lab)
        if n == 0:
            break

    # A mountain lake inside 山村, so that one polygon has a hole.
    depth = depth_inside(lab, LAB_YAMA)
    best = max(((depth[j][i], -j, -i) for j in range(NY) for i in range(NX)
                if lab[j][i] == LAB_YAMA))
    lj, li = -best[1], -best[2]
    if best[0] < 10:
        raise RuntimeError("山村 is too thin for its lake")
    lx, ly = px_km(li, lj)
    for j in range(NY):
        for i in range(NX):
            x, y = px_km(i, j)
            if ((x - lx) / 1.1) ** 2 + ((y - ly) / 0.7) ** 2 < 1.0:
                if lab[j][i] != LAB_YAMA:
                    raise RuntimeError("lake leaves 山村")
                lab[j][i] = 0
    for _ in range(20):
        n = merge_fragments(lab, islet_px) + fix_corner_touches(lab)
        if n == 0:
            break
    else:
        raise RuntimeError("municipality cleaning did not converge")
    return lab, (li, lj)


def check_raster(lab):
    for L, code, name, *_ in MUNIS:
        n = len(components(lab, lambda v, L=L: v == L))
        want = 2 if L == LAB_HAMA else 1
        if n != want:
            raise RuntimeError("%s %s has %d parts, expected %d" % (code, name, n, want))
    seas = components(lab, lambda v: v == 0)
    if len(seas) != 2:
        raise RuntimeError("expected the sea and one lake, got %d water bodies" % len(seas))


# --------------------------------------------------------------------------
# Tracing and smoothing

def trace(lab):
    """Rings of every label, as lists of grid vertices, each ring with its
    label on the right of every edge (outer rings clockwise, holes
    counter-clockwise, with y pointing north)."""
    nxt = {}
    for j in range(NY):
        for i in range(NX):
            L = lab[j][i]
            if L == 0:
                continue
            d = nxt.setdefault(L, {})
            edges = []
            if lab_at(lab, i, j + 1) != L:
                edges.append(((i, j + 1), (i + 1, j + 1)))
            if lab_at(lab, i + 1, j) != L:
                edges.append(((i + 1, j + 1), (i + 1, j)))
            if lab_at(lab, i, j - 1) != L:
                edges.append(((i + 1, j), (i, j)))
            if lab_at(lab, i - 1, j) != L:
                edges.append(((i, j), (i, j + 1)))
            for a, b in edges:
                if a in d:
                    raise RuntimeError("label %d touches itself at %r" % (L, a))
                d[a] = b
    rings = {}
    for L, d in nxt.items():
        seen = set()
        out = []
        for start in sorted(d):
            if start in seen:
                continue
            ring = []
            p = start
            while p not in seen:
                seen.add(p)
                ring.append(p)
                p = d[p]
            if p != start:
                raise RuntimeError("open ring for label %d" % L)
            out.append(ring)
        rings[L] = out
    return rings


def is_junction(lab, v):
    i, j = v
    return len({lab_at(lab, i - 1, j - 1), lab_at(lab, i, j - 1),
                lab_at(lab, i - 1, j), lab_at(lab, i, j)}) >= 3


def smooth(lab, ring):
    """Joins the mid-points of the ring's pixel edges (cutting every corner
    at 45 degrees), keeping junction vertices; then drops collinear
    points.  Points are in half-pixel units.  The result depends only on
    the edges and the junctions, so two rings sharing an arc get the same
    points along it."""
    pts, fixed = [], []
    n = len(ring)
    for k in range(n):
        a, b = ring[k], ring[(k + 1) % n]
        pts.append((a[0] + b[0], a[1] + b[1]))
        fixed.append(False)
        if is_junction(lab, b):
            pts.append((2 * b[0], 2 * b[1]))
            fixed.append(True)
    m = len(pts)
    out = []
    for k in range(m):
        q = pts[k]
        if not fixed[k]:
            p, r = pts[k - 1], pts[(k + 1) % m]
            cross = (q[0] - p[0]) * (r[1] - q[1]) - (q[1] - p[1]) * (r[0] - q[0])
            if cross == 0:
                continue
        out.append(q)
    return out


def signed_area2(pts):
    s = 0
    n = len(pts)
    for k in range(n):
        x1, y1 = pts[k]
        x2, y2 = pts[(k + 1) % n]
        s += x1 * y2 - x2 * y1
    return s


def inside_ring(pt, ring):
    x, y = pt
    c = False
    n = len(ring)
    for k in range(n):
        x1, y1 = ring[k]
        x2, y2 = ring[(k + 1) % n]
        if (y1 > y) != (y2 > y):
            xc = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < xc:
                c = not c
    return c


def polygons_of(lab):
    """For every label, its polygons as [outer, hole, ...] in half-pixel
    units, outer rings clockwise and holes counter-clockwise, largest
    polygon first."""
    result = {}
    for L, rings in trace(lab).items():
        outers, holes = [], []
        for ring in rings:
            pts = smooth(lab, ring)
            a = signed_area2(pts)
            (outers if a < 0 else holes).append((a, pts))
        polys = [[pts] for a, pts in sorted(outers, key=lambda t: t[0])]
        for _, h in holes:
            owner = [p for p in polys if inside_ring(h[0], p[0])]
            if len(owner) != 1:
                raise RuntimeError("hole of label %d has %d owners" % (L, len(owner)))
            owner[0].append(h)
        result[L] = polys
    return result


# --------------------------------------------------------------------------
# Writers

def write_shapefile(base, shapes, fields, rows):
    """Polygon shapefile: shapes is a list of [ring, ...] with rings as
    closed lists of (lon, lat); fields a list of (name, length); rows the
    attribute tuples (str)."""
    recs = []
    allx, ally = [], []
    for rings in shapes:
        xs = [x for r in rings for x, _ in r]
        ys = [y for r in rings for _, y in r]
        allx += [min(xs), max(xs)]
        ally += [min(ys), max(ys)]
        parts, pts = [], []
        for r in rings:
            parts.append(len(pts))
            pts.extend(r)
        content = struct.pack("<i4d2i", 5, min(xs), min(ys), max(xs), max(ys),
                              len(parts), len(pts))
        content += struct.pack("<%di" % len(parts), *parts)
        content += b"".join(struct.pack("<2d", x, y) for x, y in pts)
        recs.append(content)
    bbox = (min(allx), min(ally), max(allx), max(ally))

    def header(length_bytes):
        return (struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_bytes // 2)
                + struct.pack("<2i", 1000, 5)
                + struct.pack("<4d", *bbox) + struct.pack("<4d", 0, 0, 0, 0))

    shp = bytearray()
    shx = bytearray()
    offset = 100
    for n, content in enumerate(recs, 1):
        shx += struct.pack(">2i", offset // 2, len(content) // 2)
        shp += struct.pack(">2i", n, len(content) // 2) + content
        offset += 8 + len(content)
    with open(base + ".shp", "wb") as f:
        f.write(header(100 + len(shp)) + bytes(shp))
    with open(base + ".shx", "wb") as f:
        f.write(header(100 + len(shx)) + bytes(shx))

    reclen = 1 + sum(n for _, n in fields)
    hdrlen = 32 + 32 * len(fields) + 1
    y, m, d = DBF_DATE
    dbf = bytearray(struct.pack("<4BIHH20x", 0x03, y - 1900, m, d, len(rows),
                                hdrlen, reclen))
    for name, n in fields:
        dbf += name.encode("ascii").ljust(11, b"\0") + b"C" + b"\0" * 4
        dbf += bytes([n, 0]) + b"\0" * 14
    dbf += b"\x0d"
    for row in rows:
        dbf += b" "
        for (name, n), value in zip(fields, row):
            raw = value.encode("utf-8")
            if len(raw) > n:
                raise ValueError("%s too long for field %s" % (value, name))
            dbf += raw.ljust(n, b" ")
    dbf += b"\x1a"
    with open(base + ".dbf", "wb") as f:
        f.write(bytes(dbf))
    with open(base + ".prj", "w", encoding="ascii", newline="") as f:
        f.write(PRJ_WKT)
    with open(base + ".cpg", "w", encoding="ascii", newline="") as f:
        f.write("UTF-8")


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def fmt_num(x):
    return ("%.1f" % x).rstrip("0").rstrip(".") if x != int(x) else str(int(x))


# --------------------------------------------------------------------------
# Population

def density_model(rng, island_village):
    """People per km2 of land at a point, by the municipality's kind."""
    centres = {m[0]: m[4] for m in MUNIS if m[4] is not None}
    relief = Fbm(rng, [10.0, 4.0], [0.6, 0.3])

    def dens(x, y, kind, L):
        if kind == "island":
            cx, cy = island_village
            return 260.0 * math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 1.2) + 8.0
        cx, cy = centres[L]
        d = math.hypot(x - cx, y - cy)
        if kind == "core":
            base = 3800.0 * math.exp(-(d / 2.6) ** 2) + 800.0 * math.exp(-(d / 6.0) ** 2) + 120.0
        elif kind == "urban":
            base = 1600.0 * math.exp(-(d / 2.2) ** 2) + 250.0 * math.exp(-(d / 5.0) ** 2) + 60.0
        elif kind == "town":
            base = 1100.0 * math.exp(-(d / 1.8) ** 2) + 120.0 * math.exp(-(d / 5.0) ** 2) + 40.0
        elif kind == "rural":
            base = 700.0 * math.exp(-(d / 1.5) ** 2) + 40.0 * math.exp(-(d / 6.0) ** 2) + 14.0
        else:
            base = 260.0 * math.exp(-(d / 1.2) ** 2) + 6.0
        hills = max(0.0, 1.0 - max(0.0, relief(x, y)) * 2.2)
        if kind in ("rural", "mountain", "town"):
            base *= hills
        return base

    return dens


def make_population(rng, lab, lake_px, dens):
    kind_of = {m[0]: m[6] for m in MUNIS}
    cell_km2 = (KM_LON / 80.0) * (KM_LAT / 120.0)
    rows = []
    sea_centroid = []
    for b in range(NY // 3):
        for a in range(NX // 3):
            block = [lab[3 * b + dj][3 * a + di] for dj in range(3) for di in range(3)]
            nland = sum(1 for v in block if v)
            if nland == 0:
                continue
            cl = lab[3 * b + 1][3 * a + 1]
            if cl == 0 and (3 * a + 1, 3 * b + 1) in lake_px:
                continue                        # a lake cell: nobody lives there
            L = cl or max(sorted(set(v for v in block if v)), key=block.count)
            kind = kind_of[L]
            if cl == 0 and nland < SEA_CELL_MIN_LAND - (kind in ("core", "urban", "town")):
                continue                        # mostly sea: left empty
            x, y = px_km(3 * a + 1, 3 * b + 1)
            mean = dens(x, y, kind, L) * cell_km2 * nland / 9.0
            if kind in ("rural", "mountain") and rng.random() < 0.22:
                continue                        # forests and fields
            total = int(round(mean * rng.lognormvariate(0.0, 0.35)))
            if total <= 0:
                continue
            p65, p75 = AGE_MODEL[kind]
            s65 = min(0.9, max(0.05, p65 + rng.gauss(0.0, 0.035)))
            s75 = min(0.9, max(0.2, p75 + rng.gauss(0.0, 0.05)))
            age65 = min(total, int(round(total * s65)))
            age75 = min(age65, int(round(age65 * s75)))
            code = mesh3_code(a, b)
            rows.append((code, total, age65, age75))
            if cl == 0:
                sea_centroid.append(code)
    return rows, sea_centroid


def find_rock_cell(lab, island_c):
    """A 1 km cell between the mainland and the island whose centroid is
    more than 3 km from every land pixel: the lighthouse rock."""
    land_pts = [px_km(i, j) for j in range(NY) for i in range(NX) if lab[j][i]]
    mainland_x = min(x for x, y in land_pts if abs(y - island_c[1]) < 2 and x > island_c[0] + 8)
    x_target = (mainland_x + island_c[0] + 5.0) / 2.0
    a, b = km_px(x_target, island_c[1] - 6.0)
    a, b = a // 3, b // 3
    x, y = px_km(3 * a + 1, 3 * b + 1)
    dmin = min(math.hypot(x - px, y - py) for px, py in land_pts)
    if dmin < 3.0:
        raise RuntimeError("lighthouse rock too close to land (%.2f km)" % dmin)
    return a, b, dmin


# --------------------------------------------------------------------------
# Facilities

def place_facilities(rng, lab, dens_fn):
    kind_of = {m[0]: m[6] for m in MUNIS}
    interior = {}
    for j in range(1, NY - 1):
        for i in range(1, NX - 1):
            L = lab[j][i]
            if L and all(lab[j + dj][i + di] == L for dj in (-1, 0, 1) for di in (-1, 0, 1)):
                interior.setdefault(L, []).append((i, j))
    used = set()
    out = []
    for fid, name, kind, cap, L in FACILITIES:
        if L is None:
            i, j = offshore_pixel(lab)
        else:
            cand = [p for p in interior[L] if p not in used]
            w = [dens_fn(*px_km(*p), kind_of[L], L) for p in cand]
            i, j = rng.choices(cand, weights=w)[0]
        used.add((i, j))
        lon = LON0 + (i + 0.5 + rng.uniform(-0.35, 0.35)) / PX_PER_DEG_LON
        lat = LAT0 + (j + 0.5 + rng.uniform(-0.35, 0.35)) / PX_PER_DEG_LAT
        out.append((fid, name, kind, cap, round(lon, 6), round(lat, 6), L))
    return out


def offshore_pixel(lab):
    """A sea pixel about 2 km off the east coast of 港市, with no land
    within 1.5 km: the clinic whose point lies outside every municipality."""
    sx, sy = next(m[4] for m in MUNIS if m[0] == 2)
    i0, j0 = km_px(sx, sy)
    i = i0
    while True:
        i += 1
        if all(lab[j0][k] == 0 for k in range(i, min(NX, i + 30))):
            break
    x, y = px_km(i, j0)
    i, j = km_px(x + 2.5, y)
    x, y = px_km(i, j)
    dmin = min(math.hypot(x - px, y - py) for px, py in
               (px_km(a, b) for b in range(j - 10, j + 11) for a in range(i - 10, i + 11)
                if lab_at(lab, a, b)))
    if dmin < 1.5:
        raise RuntimeError("offshore clinic too near land")
    return i, j


# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "sample"))
    args = ap.parse_args()
    out = args.out
    os.makedirs(out, exist_ok=True)
    rng = random.Random(SEED)

    land, island_c, islet_c = make_land(rng)
    lab, lake_c = make_municipalities(rng, land, islet_c)
    check_raster(lab)
    lake_comp = [c for c in components(lab, lambda v: v == 0)
                 if not any(i == 0 for i, _ in c)][0]
    lake_px = set(lake_comp)

    # The island's village sits on its most sheltered (eastern) side.
    isl = [px_km(i, j) for j in range(NY) for i in range(NX) if lab[j][i] == LAB_SHIMA]
    village = (max(x for x, _ in isl) - 2.0, sum(y for _, y in isl) / len(isl))
    dens = density_model(rng, village)

    # Municipality polygons.
    polys = polygons_of(lab)
    meta = {m[0]: m for m in MUNIS}
    shapes, rows = [], []
    for L in sorted(polys, key=lambda L: meta[L][1]):
        for poly in polys[L]:
            rings = []
            for ring in poly:
                ll = [half_lonlat(hx, hy) for hx, hy in ring]
                ll.append(ll[0])
                rings.append(ll)
            shapes.append(rings)
            rows.append((meta[L][1], meta[L][2], meta[L][3]))
    write_shapefile(os.path.join(out, "municipalities"), shapes,
                    [("muni_code", 5), ("muni_name", 40), ("area_code", 4)], rows)

    write_csv(os.path.join(out, "areas.csv"), ["muni_code", "area_code", "area_name"],
              [(m[1], m[3], AREAS[m[3]]) for m in sorted(MUNIS, key=lambda m: m[1])])

    # Population.
    pop_rows, sea_cells = make_population(rng, lab, lake_px, dens)
    ra, rb, rock_d = find_rock_cell(lab, island_c)
    rock_code = mesh3_code(ra, rb)
    pop_rows.append((rock_code, 2, 1, 0))
    pop_rows.sort()
    write_csv(os.path.join(out, "population_mesh1km.csv"),
              ["mesh_code", "total", "age65", "age75"], pop_rows)

    # Facilities.
    facs = place_facilities(rng, lab, dens)
    write_csv(os.path.join(out, "facilities.csv"),
              ["facility_id", "name", "kind", "capacity", "lon", "lat",
               "role", "h24", "doctors", "nurse_fte", "beds"],
              [(f[0], f[1], f[2], fmt_num(f[3]), "%.6f" % f[4], "%.6f" % f[5]) +
               planning_columns(f) for f in facs])

    write_readme(out, lab, polys, pop_rows, sea_cells, rock_code, rock_d, facs, lake_c)


def planning_columns(f):
    """role, h24, doctors, nurse_fte, beds of facility row f."""
    role, h24, beds = PLANNING.get(f[0], ("", "", None))
    nursing = f[2] == "nursing"
    return (role, h24, "" if nursing else fmt_num(f[3]), fmt_num(f[3]) if nursing else "",
            "" if beds is None else str(beds))


def write_readme(out, lab, polys, pop_rows, sea_cells, rock_code, rock_d, facs, lake_c):
    meta = {m[0]: m for m in MUNIS}
    # population per municipality by the label of the cell's centroid pixel
    pop_area = {a: 0 for a in AREAS}
    pop_muni = {m[1]: 0 for m in MUNIS}
    gi0, gj0 = int(round(LON0 * 80)), int(round(LAT0 * 120))
    unassigned = 0
    for code, total, _, _ in pop_rows:
        p, u, q, v, r, w = int(code[0:2]), int(code[2:4]), int(code[4]), int(code[5]), \
            int(code[6]), int(code[7])
        a = (u + 100) * 80 + v * 10 + w - gi0
        b = p * 80 + q * 10 + r - gj0
        L = lab[3 * b + 1][3 * a + 1]
        if L:
            pop_muni[meta[L][1]] += total
            pop_area[meta[L][3]] += total
        else:
            unassigned += total
    n_parts = sum(len(p) for p in polys.values())
    kinds = ["zaishin", "enhanced_single", "zaibyo", "backup_hospital", "nursing"]
    fac_area = {}
    for f in facs:
        key = meta[f[6]][3] if f[6] else "outside"
        fac_area.setdefault(key, {}).setdefault(f[2], 0)
        fac_area[key][f[2]] += 1
    outside = [f for f in facs if f[6] is None]
    lake_lon, lake_lat = (LON0 + (lake_c[0] + 0.5) / PX_PER_DEG_LON,
                          LAT0 + (lake_c[1] + 0.5) / PX_PER_DEG_LAT)

    lines = []
    add = lines.append
    add("# Sample data: サンプル県 (fictional)")
    add("")
    add("**Everything here is invented.** サンプル県 (prefecture code 99) does not exist: its land")
    add("lies in open sea in the Sea of Japan (lon 136.0-137.6, lat 39.5-40.5), where no real")
    add("land is, so these files can never be mistaken for real data. Names, populations and")
    add("facilities are made up. The files are the input of the project's quick start and of")
    add("tests that need a small, complete data set.")
    add("")
    add("They are written by `data/make_sample.py` (Python 3.11 standard library only,")
    add("seed 2026, byte-identical on every run). To regenerate, from the project root:")
    add("")
    add("```sh")
    add("python3 data/make_sample.py            # writes data/sample/")
    add("python3 data/make_sample.py --out DIR  # or somewhere else")
    add("```")
    add("")
    add("Do not edit the files by hand: change the generator and run it again.")
    add("")
    add("## The place")
    add("")
    add("- a mainland of about 70 km x 50 km with an irregular coast, a bay (中央市's harbour),")
    add("  a peninsula in the north-east and a mountain lake (a hole in 山村's polygon, around")
    add("  lon %.3f, lat %.3f);" % (lake_lon, lake_lat))
    add("- an island of about 10 km x 6 km, about 15 km off the west coast (島村);")
    add("- a small islet off the south-west coast that belongs to 浜町, so 浜町 has two")
    add("  polygon records with the same `muni_code`, as in 国土数値情報 N03 files.")
    add("")
    add("| muni_code | muni_name | area_code | area_name | polygon records | population |")
    add("|---|---|---|---|---|---|")
    for m in sorted(MUNIS, key=lambda m: m[1]):
        add("| %s | %s | %s | %s | %d | %d |" % (
            m[1], m[2], m[3], AREAS[m[3]], len(polys[m[0]]), pop_muni[m[1]]))
    add("")
    add("Population per home-care area (cells counted where their centroid lies):")
    add("")
    add("| area_code | area_name | population |")
    add("|---|---|---|")
    for a in AREAS:
        add("| %s | %s | %d |" % (a, AREAS[a], pop_area[a]))
    add("| - | centroid in no municipality | %d |" % unassigned)
    add("| | total | %d |" % sum(r[1] for r in pop_rows))
    add("")
    add("## Files")
    add("")
    add("### municipalities.shp / .shx / .dbf / .prj / .cpg")
    add("")
    add("Polygon shapefile of the %d municipalities, %d records (one per polygon part)." %
        (len(MUNIS), n_parts))
    add("Coordinates are lon/lat on JGD2011 (EPSG:6668; the .prj is the ESRI WKT")
    add("`GCS_JGD_2011`). Outer rings are clockwise and holes counter-clockwise. The DBF")
    add("text is UTF-8, declared by the .cpg (`UTF-8`). The polygons are valid and tile the")
    add("land exactly: neighbours share identical vertices along their common border.")
    add("")
    add("| field | type | meaning |")
    add("|---|---|---|")
    add("| muni_code | C(5) | municipality code, 99 + 3 digits (a string: keep leading zeros) |")
    add("| muni_name | C(40) | municipality name |")
    add("| area_code | C(4) | home-care area (在宅医療圏) code, as in areas.csv |")
    add("")
    add("### areas.csv")
    add("")
    add("Which home-care area each municipality belongs to (UTF-8, header row).")
    add("")
    add("| column | meaning |")
    add("|---|---|")
    add("| muni_code | municipality code, as in the shapefile |")
    add("| area_code | home-care area code (9901 urban, 9902 wide rural, 9903 island) |")
    add("| area_name | home-care area name |")
    add("")
    add("### population_mesh1km.csv")
    add("")
    add("Population on the 1 km JIS X 0410 mesh (3rd level, 8-digit codes), %d cells, total" %
        len(pop_rows))
    add("%d; only cells with people are listed. Dense in 中央市, sparse in the rural area" %
        sum(r[1] for r in pop_rows))
    add("and on the island.")
    add("")
    add("| column | meaning |")
    add("|---|---|")
    add("| mesh_code | 8-digit 3rd-level mesh code (a string) |")
    add("| total | residents (integer) |")
    add("| age65 | residents aged 65 and over (<= total) |")
    add("| age75 | residents aged 75 and over (<= age65) |")
    add("")
    add("Edge cases on purpose:")
    add("")
    add("- %d coastal cells have their centroid just in the sea, within 1 km of the coast:" %
        len(sea_cells))
    add("  %s. Tools that give a cell to the" % ", ".join(sea_cells))
    add("  municipality nearest its centroid (within 1 km) should place them.")
    add("- cell %s is a lighthouse rock with 2 residents; its centroid is %.1f km from any" %
        (rock_code, rock_d))
    add("  land, so it belongs to no municipality and must come out unassigned.")
    add("")
    add("### facilities.csv")
    add("")
    add("%d home-care facilities (UTF-8, header row), lon/lat on JGD2011." % len(facs))
    add("")
    add("| column | meaning |")
    add("|---|---|")
    add("| facility_id | id (C = clinic, H = hospital, N = visiting-nurse station) |")
    add("| name | facility name |")
    add("| kind | `zaishin`, `enhanced_single`, `zaibyo`, `backup_hospital` or `nursing` (below) |")
    add("| capacity | home-care doctors (clinics, hospitals) or nurse FTE (nursing); "
        "decimals allowed |")
    add("| lon, lat | location, degrees |")
    add("| role | designated role: `lead` (積極的役割を担う医療機関), `hub` (連携の拠点), "
        "both as `lead;hub`, or empty |")
    add("| h24 | 24-hour service: 1, 0, or empty when unknown |")
    add("| doctors, nurse_fte | the capacity again, as doctors (clinics, hospitals) or nurse "
        "FTE (nursing) |")
    add("| beds | hospital beds (hospitals only) |")
    add("")
    add("Kinds: `zaishin` 在宅療養支援診療所 (home-care support clinic); `enhanced_single`")
    add("機能強化型・単独型 (enhanced clinic with >= 3 home-care doctors); `zaibyo`")
    add("在宅療養支援病院; `backup_hospital` 在宅療養後方支援病院; `nursing` 訪問看護ステーション.")
    add("Counts per home-care area:")
    add("")
    add("| area | " + " | ".join(kinds) + " |")
    add("|---|" + "---|" * len(kinds))
    for key in list(AREAS) + ["outside"]:
        name = AREAS.get(key, "outside every municipality")
        add("| %s | " % name + " | ".join(str(fac_area.get(key, {}).get(k, 0))
                                          for k in kinds) + " |")
    add("")
    for f in outside:
        add("%s %s (lon %.6f, lat %.6f) lies in the sea off the east coast, outside" %
            (f[0], f[1], f[4], f[5]))
        add("every municipality: it stands for a facility across a border, whose reach")
        add("still counts inside.")
    add("川村 and 山村 have no facility; the island has one nursing station and no clinic.")
    with open(os.path.join(out, "README.md"), "w", encoding="utf-8", newline="") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
