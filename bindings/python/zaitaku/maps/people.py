"""Where the people out of reach live: the demand units no facility of a
kind reaches (as libcoverage counts them: ``n_within == 0`` in the reach
table), drawn as their own mesh cells, or summed into squares of a round
size when the cells would be too small to see on the map, and shaded by
the people they hold (a sequential scale in classes).

This is the maps' headline layer: land out of reach (the gaps) can cover
most of a rural prefecture where few people live, so the report's maps
shade the people and draw the land as a lighter layer beneath.

Examples
--------
>>> import warnings, zaitaku
>>> from zaitaku.maps import people
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     an = zaitaku.Analysis.sample()
>>> units = people.out_of_reach(an, "nursing", weight="total")
>>> bool(0 < units["total"].sum() < an.demand.weights("total").sum())
True
>>> people.nice_breaks([3, 40, 120, 800, 5000])
[1, 100, 500, 2000]
"""
import math

from ..kinds import DOCTOR_AND_NURSING, DOCTOR_ANY

#: The sequential scale of the classes (light to dark), cut from magma so
#: that the lightest class still stands out from the pale land and the
#: darkest from the outlines; readable with any colour vision and in grey.
CMAP, CMAP_RANGE = "magma_r", (0.12, 0.82)
#: Cells at least this large on paper are drawn as they are; smaller ones
#: are summed into squares of at least GRID_MIN_MM.
NATIVE_MIN_MM, GRID_MIN_MM = 0.5, 1.0
_GRID_STEPS_M = (500, 1000, 2000, 5000, 10000, 20000, 50000)


def out_of_reach(analysis, kind, weight=None, radius=None, nursing_kinds=("nursing",)):
    """The demand units in a region and out of reach of ``kind``: no
    facility of the kind within the threshold (in the analysis's travel
    model). For ``doctor_and_nursing`` a unit is out of reach when a doctor
    (``doctor_any``) or a visiting nurse (``nursing_kinds``) is. Nothing is
    measured here: the reach table is libcoverage's.

    Returns
    -------
    geopandas.GeoDataFrame
        demand_id, region_id, the weight (named as its column) and the
        unit's own geometry (a mesh cell's polygon, or a point),
        EPSG:6668.
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    weight = analysis.demand.weight_name(weight)
    reach = analysis.reach(radius=radius)
    reach = reach[reach.region_id.notna() & (reach.region_id != "")]
    ids = pd.Series(reach.demand_id.unique())

    def out(kinds):
        within = reach[reach.kind.isin(kinds)].groupby("demand_id")["n_within"].sum()
        # a kind no facility has reaches no unit: no rows, all out (pandas'
        # isin hashes; numpy's compares string arrays pair by pair)
        return ~ids.isin(within.index[within > 0]).to_numpy()

    kinds = [DOCTOR_ANY] if kind == DOCTOR_AND_NURSING else [kind]
    missing = out(kinds) | (out(list(nursing_kinds)) if kind == DOCTOR_AND_NURSING else False)
    region = reach.drop_duplicates("demand_id").set_index("demand_id")["region_id"]
    units = analysis.demand.to_geodataframe()
    units = units[units.demand_id.isin(ids[missing].to_numpy())]
    return gpd.GeoDataFrame({"demand_id": units.demand_id.to_numpy(),
                             "region_id": units.demand_id.map(region).to_numpy(),
                             weight: np.asarray(units[weight], float)},
                            geometry=units.geometry.values, crs="EPSG:6668")


def nice_breaks(values, n=5):
    """Lower bounds of up to n classes for people per cell: 1, then round
    numbers (1, 2 or 5 times a power of ten) at or below the 50th, 75th,
    90th and 97th percentiles of the positive values, without repeats.

    Examples
    --------
    >>> nice_breaks([1, 1, 2, 3, 4])
    [1, 2]
    >>> nice_breaks([])
    [1]
    """
    import numpy as np

    v = np.asarray(values, float)
    v = v[v > 0]
    breaks = [1]
    for q in (50, 75, 90, 97)[:n - 1]:
        if not len(v):
            break
        b = _round_down(float(np.percentile(v, q)))
        if b > breaks[-1]:
            breaks.append(b)
    return breaks


def _round_down(x):
    if x < 1:
        return 1
    power = 10 ** math.floor(math.log10(x))
    return next(s * power for s in (5, 2, 1) if s * power <= x)


def class_labels(breaks, integers=True):
    """The legend text of each class: "1〜49人", ..., "500人以上" (with
    whole numbers of people; "1〜50人" for fractional weights, each class
    from its bound up to the next).

    Examples
    --------
    >>> class_labels([1, 50, 500])
    ['1〜49人', '50〜499人', '500人以上']
    >>> class_labels([1])
    ['1人以上']
    >>> class_labels([1, 2, 5])[0]
    '1人'
    """
    out = []
    for lo, hi in zip(breaks, list(breaks[1:]) + [None]):
        if hi is None:
            out.append(f"{lo:,}人以上")
        elif integers and hi - 1 == lo:
            out.append(f"{lo:,}人")
        else:
            out.append(f"{lo:,}〜{hi - 1 if integers else hi:,}人")
    return out


def class_colours(n):
    """n colours of the sequential scale, light to dark."""
    from matplotlib import colormaps

    cmap = colormaps[CMAP]
    lo, hi = CMAP_RANGE
    return [cmap(lo + (hi - lo) * i / max(n - 1, 1)) for i in range(n)]


#: the JIS X 0410 mesh sizes (and the multiples e-Stat publishes), metres
_MESH_M = (100, 125, 250, 500, 1000, 2000, 5000, 10000, 80000)


def cell_text(size_m, mesh=False):
    """How a cell size reads in a legend: "500 m", "1 km"; with mesh, the
    nearest mesh size (a 1 km cell measures 0.93 to 1.03 km in area terms).

    Examples
    --------
    >>> cell_text(993.1, mesh=True), cell_text(5000)
    ('1 km', '5 km')
    """
    if mesh and size_m > 0:
        size_m = min(_MESH_M, key=lambda s: abs(math.log(s / size_m)))
    return f"{size_m / 1000:g} km" if size_m >= 1000 else f"{size_m:g} m"


class PeopleLayer:
    """The out-of-reach units of one analysis and kind, projected to the
    maps' CRS, and the cells any map draws of them.

    Parameters
    ----------
    units : geopandas.GeoDataFrame
        From :func:`out_of_reach`.
    weight : str
        Its weight column.
    crs : pyproj.CRS
        The maps' projected CRS.
    label : str
        What the weight counts, e.g. ``"75歳以上人口"``.
    """

    def __init__(self, units, weight, crs, label):
        import numpy as np
        import shapely

        units = units[np.asarray(units[weight], float) > 0].to_crs(crs)
        self.label, self.weight = label, weight
        self.region_id = units.region_id.astype(str).to_numpy()
        self.value = np.asarray(units[weight], float)
        geoms = units.geometry.to_numpy()
        self.polygons = bool(len(geoms)) and bool(
            (shapely.get_type_id(geoms) == 3).all())  # 3: Polygon
        centres = shapely.centroid(geoms)
        self.xy = np.column_stack([shapely.get_x(centres), shapely.get_y(centres)]) \
            if len(geoms) else np.empty((0, 2))
        # a mesh cell is a lon/lat rectangle: projected, a near-square of its area
        self.native_m = float(np.sqrt(np.median(shapely.area(geoms)))) if self.polygons else 0.0
        self._geoms = geoms
        self._breaks = {}
        self.integers = bool(np.allclose(self.value, np.round(self.value)))

    @property
    def total(self):
        return float(self.value.sum())

    def cells(self, extent, map_width_in, region_id=None):
        """What a map of extent (x0, y0, x1, y1, map units) drawn map_width_in
        wide shows: (polygons as a list of n x 2 arrays, values, cell size in
        metres, whether the cells are the units' own). The units' own
        cells where they are at least NATIVE_MIN_MM on paper, else squares
        of the smallest round size of at least GRID_MIN_MM, on a grid
        anchored at the CRS's origin (so maps of the same size agree)."""
        import numpy as np
        import shapely

        mm_per_m = map_width_in * 25.4 / max(extent[2] - extent[0], 1.0)
        keep = np.ones(len(self.value), bool) if region_id is None else \
            self.region_id == str(region_id)
        if self.polygons and self.native_m * mm_per_m >= NATIVE_MIN_MM:
            x0, y0, x1, y1 = extent
            b = shapely.bounds(self._geoms)
            keep &= (b[:, 2] > x0) & (b[:, 0] < x1) & (b[:, 3] > y0) & (b[:, 1] < y1)
            rings = [shapely.get_coordinates(shapely.get_exterior_ring(g))
                     for g in self._geoms[keep]]
            return rings, self.value[keep], self.native_m, True
        size = self.grid_size(mm_per_m)
        ij = np.floor(self.xy[keep] / size).astype(np.int64)
        if not len(ij):
            return [], np.empty(0), size, False
        cells, inverse = np.unique(ij, axis=0, return_inverse=True)
        sums = np.bincount(inverse.ravel(), weights=self.value[keep])
        x, y = cells[:, 0] * size, cells[:, 1] * size
        rings = [np.array([[a, b], [a + size, b], [a + size, b + size], [a, b + size],
                           [a, b]]) for a, b in zip(x, y)]
        return rings, sums, size, False

    def n_classes(self, extent, map_width_in):
        """How many classes a map of extent shows (its legend's rows)."""
        mm_per_m = map_width_in * 25.4 / max(extent[2] - extent[0], 1.0)
        native = self.polygons and self.native_m * mm_per_m >= NATIVE_MIN_MM
        return len(self.breaks(self.native_m if native else self.grid_size(mm_per_m), native))

    def grid_size(self, mm_per_m):
        """The round square size (metres) of at least GRID_MIN_MM on paper."""
        return next((s for s in _GRID_STEPS_M if s * mm_per_m >= GRID_MIN_MM), _GRID_STEPS_M[-1])

    def breaks(self, size_m, native):
        """The class bounds of cells of size_m (computed once per size over
        every unit, so that every map with cells of that size shares its
        classes)."""
        import numpy as np

        key = (size_m, native)
        if key not in self._breaks:
            if native:
                values = self.value
            else:
                ij = np.floor(self.xy / size_m).astype(np.int64)
                values = np.bincount(np.unique(ij, axis=0, return_inverse=True)[1].ravel(),
                                     weights=self.value) if len(ij) else np.empty(0)
            self._breaks[key] = nice_breaks(values)
        return self._breaks[key]

    def title(self, size_m, native):
        """The legend's heading of the layer, e.g. 「圏外の75歳以上人口（500 m メッシュ）」."""
        how = f"{cell_text(size_m, mesh=True)} メッシュ" if native else f"{cell_text(size_m)} 四方に集計"
        return f"圏外の{self.label}（{how}）"


def draw(ax, layer, extent, map_width_in, region_id=None, zorder=3.5, to_map=None):
    """Draws the people out of reach on ax (region_id: only that
    region's); returns (legend handles: a heading, then one per class, and
    the heading's text). ([], None) without a layer. ``to_map`` turns an
    (n, 2) array of the layer's CRS into the axes' coordinates (default:
    they are the same)."""
    import numpy as np
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    if layer is None:
        return [], None
    rings, values, size, native = layer.cells(extent, map_width_in, region_id)
    breaks = layer.breaks(size, native)
    colours = class_colours(len(breaks))
    title = layer.title(size, native)
    if to_map is not None and rings:
        flat = to_map(np.vstack(rings))
        rings = np.split(flat, np.cumsum([len(r) for r in rings])[:-1])
    if len(values):
        classes = np.searchsorted(np.asarray(breaks, float), values, side="right") - 1
        classes = np.clip(classes, 0, len(breaks) - 1)
        # unsmoothed edges: neighbouring cells meet without a pale seam
        ax.add_collection(PolyCollection(rings, facecolors=[colours[c] for c in classes],
                                         edgecolors="none", linewidths=0, zorder=zorder,
                                         gid="zaitaku-people", antialiased=False))
    handles = [Patch(visible=False, label=title)]
    for colour, text in zip(colours, class_labels(breaks, layer.integers)):
        handles.append(Patch(facecolor=colour, edgecolor="none", label=text))
    return handles, title


__all__ = ["out_of_reach", "PeopleLayer", "draw", "nice_breaks", "class_labels",
           "class_colours", "cell_text"]
