"""Print maps for reports: an overview of coverage by region and one map per
region, drawn in a projected CRS (metres), with Japanese labels, a legend, a
scale bar whose length is measured geodesically, a north arrow that points
to true north, a source credit and colour-blind-safe colours (cividis
classes for shares, Okabe & Ito's palette with distinct markers for kinds).

Figures are made apart from pyplot (nothing global changes) and laid out in
inches, so a map is the same at any resolution: :func:`save_figure` writes
PNG (300 dpi for print by default) or SVG.

Examples
--------
>>> import zaitaku
>>> from zaitaku.maps import mapstyle
>>> an = zaitaku.Analysis.sample()  # doctest: +SKIP
>>> data = mapstyle.MapData(an)  # doctest: +SKIP
>>> fig = mapstyle.overview_map(data, an.coverage())  # doctest: +SKIP
>>> mapstyle.save_figure(fig, "overview.png")  # doctest: +SKIP
"""
import math
from dataclasses import dataclass
import threading
import warnings
from pathlib import Path

from ..columns import weight_text
from ..kinds import DOCTOR_AND_NURSING
from ..outputs import atomic_file
from . import labels as L
from . import people as P
from . import raster
from .plot import (GAP_FACE, GAP_HATCH, GAP_LIGHT_FACE, GAP_LIGHT_HATCH, INK, KIND_NAMES, LAND,
                   OUTLINE, REACHED, _drawn, _ems, _font_families, _wrap, kind_label,
                   kind_styles)

#: Share classes of the overview map (lower bounds) and their labels.
SHARE_BREAKS = (0.0, 0.5, 0.8, 0.95)
SHARE_LABELS = ("50%未満", "50〜80%", "80〜95%", "95%以上")
NO_DATA = "#ffffff"
OTHER_LAND = "#e6e6e6"

WIDTH_IN = 7.0          # fits an A4 page's text width (17 cm) with margins
KEY_IN = 1.35           # legend and credit below the map
TITLE_IN = 0.5
MARGIN_IN = 0.12
MAP_W_IN = WIDTH_IN - 2 * MARGIN_IN
_LABEL_PT, _NAME_PT, _CREDIT_PT = 8, 9, 6.5


def share_colours():
    """The colours of the share classes, from cividis (readable with any
    colour vision and in grey): pale yellow for the lowest shares, dark blue
    for the highest."""
    from matplotlib import colormaps

    cmap = colormaps["cividis"]
    return [cmap(v) for v in (0.95, 0.7, 0.42, 0.12)]


def share_class(share):
    """The index of the class of share (None for a missing share).

    Examples
    --------
    >>> [share_class(s) for s in (0.0, 0.49, 0.5, 0.95, 1.0)]
    [0, 0, 1, 3, 3]
    """
    if share is None or share != share:
        return None
    return max(i for i, b in enumerate(SHARE_BREAKS) if share >= b)


def reach_text(analysis, radius=None):
    """The reach as the report writes it: "16 km" (straight line), "道路距離
    16 km" or "車で 30 分" (along roads; "（冬期）" at winter speeds)."""
    metric, value = analysis.measure(radius)
    if metric == "straight":
        return f"{value / 1000:g} km" if value >= 1000 else f"{value:g} m"
    text = f"車で {value / 60:g} 分" if metric == "time" else f"道路距離 {value / 1000:g} km"
    return text + ("（冬期）" if analysis.winter else "")


@dataclass
class Overlay:
    """A layer a report section adds to the maps (gap clusters, picks,
    sites): ``frame`` a GeoDataFrame with region_id (any CRS), ``style``
    keyword arguments of GeoDataFrame.plot, ``label`` its legend entry,
    ``text`` a column written beside each feature (e.g. its rank),
    ``on_overview`` whether the overview map shows it too."""

    frame: object
    style: dict
    label: str
    text: str = None
    colour: str = INK
    on_overview: bool = False
    handle: object = None


class MapData:
    """What the maps of one analysis need, computed once and projected into
    ``crs`` (default: the analysis's own projected CRS).

    Parameters
    ----------
    analysis : Analysis
    kind : str
        Kind whose reached land and gaps are drawn.
    radius : str or float, optional
    crs : str, int or pyproj.CRS, optional
        A projected CRS (metres); a geographic one is refused.
    weight : str or int, optional
        The weight the people layer counts (default the demand's first).
    people : GeoDataFrame or False, optional
        The demand units out of reach (:func:`zaitaku.maps.people.out_of_reach`,
        computed here when not given); False: maps without the people layer.
    people_label : str, optional
        What the weight counts, for the legend (e.g. ``"75歳以上人口"``;
        default the weight's name).
    nursing_kinds : sequence of str
        The nursing kinds of ``doctor_and_nursing`` (as the analysis counts them).
    """

    def __init__(self, analysis, kind=DOCTOR_AND_NURSING, radius=None, crs=None, weight=None,
                 people=None, people_label=None, nursing_kinds=("nursing",)):
        from pyproj import CRS

        self.analysis, self.kind = analysis, kind
        self.radius_m = analysis.model_for(radius)[1]
        self.crs = CRS.from_user_input(crs if crs is not None else analysis.crs)
        if not self.crs.is_projected:
            raise ValueError(f"maps are drawn in a projected CRS (metres), not {self.crs.name}")
        regions = analysis.regions.to_geodataframe()
        self.regions = regions.to_crs(self.crs)
        self.facilities = analysis.facilities.to_geodataframe().to_crs(self.crs)
        gaps = analysis.gaps(radius, kind=kind)
        self.reached = analysis.service_areas(radius, by="region", kind=kind).to_crs(self.crs)
        self.gaps = gaps.to_crs(self.crs)
        self.reach_text = reach_text(analysis, radius)
        weight = analysis.demand.weight_name(weight)
        if people is None:
            people = P.out_of_reach(analysis, kind, weight, radius, nursing_kinds)
        #: the people out of reach (:class:`~zaitaku.maps.people.PeopleLayer`), or None
        self.people = None if people is False else \
            P.PeopleLayer(people, weight, self.crs, people_label or weight_text(weight))
        #: layers report sections add (:class:`Overlay`), drawn on the maps
        self.overlays = []
        self._shown = {}  # (layer, tolerance) -> simplified layer (shown())

    def shown(self, name, extent):
        """Layer ``name`` ("regions", "reached" or "gaps") simplified for a
        map of extent: computed once per layer and tolerance level
        (:func:`_tolerance`) and reused by every map of that size (it was
        simplified again, whole, for each of a report's pages)."""
        key = (name, _tolerance(extent))
        if key not in self._shown:
            self._shown[key] = _simplified(getattr(self, name), extent)
        return self._shown[key]

    def add_overlay(self, overlay):
        """Adds an :class:`Overlay` (projected to the maps' CRS)."""
        overlay.frame = overlay.frame.to_crs(self.crs)
        self.overlays.append(overlay)


# ---------------------------------------------------------------- geometry

def _geod():
    from pyproj import Geod

    return Geod(ellps="GRS80")


_transformers = threading.local()  # pyproj transformers are not shared between threads


def _transformer(source, target):
    """A lon/lat-order transformer, made once per thread and pair of CRSs
    (making one took 10 ms, and each map asked for several)."""
    from pyproj import Transformer

    cache = _transformers.__dict__.setdefault("made", {})
    key = (str(source), str(target))
    if key not in cache:
        cache[key] = Transformer.from_crs(source, target, always_xy=True)
    return cache[key]


def _to_lonlat(crs):
    return _transformer(crs, "EPSG:6668")


def _from_lonlat(crs):
    return _transformer("EPSG:6668", crs)


def _nice_km(width_km, share=0.22):
    """The largest 1, 2 or 5 times a power of ten no longer than share of
    width_km.

    Examples
    --------
    >>> _nice_km(70), _nice_km(400), _nice_km(9)
    (10, 50, 1)
    """
    target = width_km * share
    power = 10 ** math.floor(math.log10(target))
    for step in (5, 2, 1):
        if step * power <= target:
            return step * power if step * power >= 1 else round(step * power, 6)
    return power


def scale_bar_span(crs, x0, y, length_m):
    """The map x where a bar from (x0, y) must end for its ends to be
    length_m apart on the ground (geodesic, GRS80): map units differ from
    metres on the ground by the projection's scale factor."""
    inv = _to_lonlat(crs)
    geod = _geod()
    lon0, lat0 = inv.transform(x0, y)
    span = length_m
    for _ in range(20):
        lon1, lat1 = inv.transform(x0 + span, y)
        dist = geod.inv(lon0, lat0, lon1, lat1)[2]
        if abs(dist - length_m) < 1e-6 * length_m:
            break
        span *= length_m / dist
    return x0 + span


def north_angle(crs, x, y):
    """The direction of true north at map point (x, y), in degrees clockwise
    from the map's up (grid north)."""
    inv, fwd = _to_lonlat(crs), _from_lonlat(crs)
    lon, lat = inv.transform(x, y)
    lon1, lat1, _ = _geod().fwd(lon, lat, 0.0, 1000.0)
    x1, y1 = fwd.transform(lon1, lat1)
    return math.degrees(math.atan2(x1 - x, y1 - y))


# ---------------------------------------------------------------- figure

def _figure(extent, title, credit, key_in=KEY_IN, rows=0):
    """A figure with a map axes whose aspect matches extent (x0, y0, x1, y1,
    widened to fit), a key axes below it and the title; returns (fig, ax,
    key, extent). The key is at least key_in tall, and tall enough for a
    legend of ``rows`` entries (plus its title) above the wrapped credit."""
    from matplotlib.figure import Figure

    x0, y0, x1, y1 = extent
    dx, dy = x1 - x0, y1 - y0
    map_w = WIDTH_IN - 2 * MARGIN_IN
    credit_text = _wrap(credit, map_w * 72 / _CREDIT_PT * 1.0)
    row_in = _LABEL_PT * 1.4 / 72          # a legend row with its spacing (0.35 em)
    line_in = _CREDIT_PT * 1.3 / 72        # a credit line
    key_in = max(key_in, 0.25 + (rows + 1) * row_in + (credit_text.count("\n") + 1) * line_in)
    map_h = min(max(map_w * dy / dx, 3.2), 7.6)
    # widen the extent in the other direction so that 1 m is as long both ways
    if map_h / map_w > dy / dx:
        grow = dx * map_h / map_w - dy
        y0, y1 = y0 - grow / 2, y1 + grow / 2
    else:
        grow = dy * map_w / map_h - dx
        x0, x1 = x0 - grow / 2, x1 + grow / 2
    height = key_in + map_h + TITLE_IN + MARGIN_IN
    fig = Figure(figsize=(WIDTH_IN, height))
    ax = fig.add_axes([MARGIN_IN / WIDTH_IN, key_in / height, map_w / WIDTH_IN, map_h / height])
    key = fig.add_axes([MARGIN_IN / WIDTH_IN, 0.02 / height, map_w / WIDTH_IN,
                        (key_in - 0.1) / height])
    key.set_axis_off()
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#888888")
        spine.set_linewidth(0.6)
    fig.text(MARGIN_IN / WIDTH_IN, 1 - 0.12 / height, title, ha="left", va="top",
             fontsize=12, fontweight="bold", color=INK, gid="zaitaku-title")
    key.text(0, 0, credit_text, ha="left", va="bottom",
             fontsize=_CREDIT_PT, color="#444444", transform=key.transAxes,
             gid="zaitaku-credit")
    return fig, ax, key, (x0, y0, x1, y1)


def _framed(extent):
    """extent widened as :func:`_figure` widens it to the map's shape (to
    know a map's scale before its figure is made)."""
    x0, y0, x1, y1 = extent
    dx, dy = x1 - x0, y1 - y0
    map_h = min(max(MAP_W_IN * dy / dx, 3.2), 7.6)
    if map_h / MAP_W_IN <= dy / dx:
        grow = dy * MAP_W_IN / map_h - dx
        x0, x1 = x0 - grow / 2, x1 + grow / 2
    return (x0, y0, x1, y1)


def _extent(bounds, pad=0.05):
    x0, y0, x1, y1 = bounds
    dx, dy = max(x1 - x0, 1000.0), max(y1 - y0, 1000.0)
    return (x0 - pad * dx, y0 - pad * dy, x1 + pad * dx, y1 + pad * dy)


def _tolerance(extent):
    """The simplification tolerance (metres) of a map of extent: the power
    of two at or below 1/3000 of its longer side (a third of a pixel of a
    300 dpi A4 map), so that maps of about the same size share one
    simplified copy of a layer (:meth:`MapData.shown`)."""
    t = max(extent[2] - extent[0], extent[3] - extent[1]) / 3000
    return 2.0 ** math.floor(math.log2(t)) if t > 0 else 0.0


def _simplified(frame, extent):
    # row for row (the overview colours them in order); at a third of a
    # pixel at 300 dpi
    return _drawn(frame, _tolerance(extent))


def _clipped(frame, extent, pad=0.1):
    """The rows of frame that meet extent (widened by pad of its size on
    each side, so that outlines cut at the box stay outside the map),
    their geometry cut to that box: what a map draws and writes (an SVG
    holds no coastline beyond its frame)."""
    import shapely

    if not len(frame):
        return frame
    x0, y0, x1, y1 = extent
    dx, dy = pad * (x1 - x0), pad * (y1 - y0)
    cut = shapely.clip_by_rect(frame.geometry.to_numpy(), x0 - dx, y0 - dy, x1 + dx, y1 + dy)
    out = frame.copy()
    out["geometry"] = cut
    return out[~out.geometry.is_empty]


def _draw(ax, frame, **style):
    if frame is not None and len(frame) and not frame.geometry.is_empty.all():
        frame.plot(ax=ax, aspect=None, **style)


def _facility_handles(ax, facilities, extent, size):
    """Markers per kind inside extent; returns legend handles."""
    from matplotlib.lines import Line2D

    x0, y0, x1, y1 = extent
    x, y = facilities.geometry.x, facilities.geometry.y
    inside = facilities[(x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)]
    handles = []
    for kind, colour, marker in kind_styles(facilities["kind"]):
        pts = inside[inside["kind"] == kind]
        edge = "white" if colour == "#000000" else "#1a1a1a"
        if len(pts):
            ax.scatter(pts.geometry.x, pts.geometry.y, s=size, c=colour, marker=marker,
                       edgecolors=edge, linewidths=0.5, zorder=5,
                       gid=f"zaitaku-facility-{kind}")
        handles.append(Line2D([], [], linestyle="none", marker=marker, markersize=6,
                              markerfacecolor=colour, markeredgecolor=edge,
                              markeredgewidth=0.5, label=f"{kind_label(kind)}: {len(pts)}"))
    return handles


_HALO_NAME = 2.5


def _label_half_pt(text, size):
    """A label's half-width and half-height in points, roughly (for
    spacing candidates; the placer tests the rendered box)."""
    lines = str(text).split("\n")
    return (max(_ems(line) for line in lines) * size * 1.05 / 2 + 1,
            len(lines) * size * 1.25 / 2 + 1)


def _names(ax, regions, labels, extent, placer):
    """Each region's label inside its largest part, clear of the labels
    placed before: first every label whose pole of inaccessibility is free
    goes there (the narrowest parts first, as they have the least room);
    the others at points around their pole that are still inside, else
    beside the part with a leader line from a point of it under no label,
    else the same at 4/5 of the size, else none (listed in
    placer.dropped)."""
    import matplotlib.patheffects as pe
    import shapely
    from shapely.ops import polylabel

    halo = [pe.withStroke(linewidth=_HALO_NAME, foreground="white")]
    x0, y0, x1, y1 = extent
    jobs = []
    for geom, text in zip(regions.geometry, labels):
        if geom is None or geom.is_empty or not text:
            continue
        part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
        cut = part.intersection(shapely.box(x0, y0, x1, y1))
        if cut.is_empty:
            continue
        part = max(getattr(cut, "geoms", [cut]), key=lambda g: g.area) \
            if cut.geom_type != "Polygon" else cut
        if part.geom_type != "Polygon" or part.area <= 0:
            continue
        jobs.append((part.bounds[2] - part.bounds[0], text, part))
    style = dict(fontsize=_NAME_PT, fontweight="bold", color="#111111", path_effects=halo,
                 zorder=6, gid="zaitaku-region-name")
    poles = []
    for _, text, part in sorted(jobs, key=lambda job: job[0]):
        try:
            pole = polylabel(part, tolerance=max(x1 - x0, y1 - y0) / 500)
        except Exception:  # noqa: BLE001 - odd rings
            pole = part.representative_point()
        poles.append((text, part, pole.x, pole.y))
    # first every label at its region's pole where that is free, so that a
    # large region's label is not crowded out by its neighbours' moved ones
    # (nor moved into a neighbour); then the others around their poles, or
    # beside the region
    rest = []
    for text, part, px, py in poles:
        if placer.place(text, [(px, py)], **style) is None:
            placer.dropped.pop()
            rest.append((text, part, px, py))
    # a label with no room at the full size gets a second try at 4/5 of it
    for size in (_NAME_PT, _NAME_PT * 0.8):
        rest, crowded = [], rest
        for text, part, px, py in crowded:
            hw, hh = _label_half_pt(text, size)
            near = L.around(px, py, placer, hw * 0.5, hh * 0.6, rings=(1, 2, 3, 4.5, 6, 8))
            near = [(px, py)] + [(x, y) for x, y in near if shapely.contains_xy(part, x, y)]
            minx, miny, maxx, maxy = part.bounds
            gx, gy = placer.pt_to_data(hw + 4, hh + 4)
            far = [((minx + maxx) / 2, miny - gy), ((minx + maxx) / 2, maxy + gy),
                   (maxx + gx, (miny + maxy) / 2), (minx - gx, (miny + maxy) / 2)]
            far += L.around(px, py, placer, hw + 6, hh + 6, rings=(1.5, 2.5, 3.5, 5))
            # the leader starts at a point of the region under no label
            start = placer.clear_point(near) or (px, py)
            if placer.place(text, near, leader_from=start, far=far, max_cost=None,
                            **dict(style, fontsize=size)) is None and size == _NAME_PT:
                placer.dropped.pop()
                rest.append((text, part, px, py))


def draw_scale_bar(ax, crs):
    """A black and white bar at the map's lower left, about a fifth of its
    width, measured on the ground; returns (x0, x1, y, km)."""
    from matplotlib.patches import Rectangle

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    inv = _to_lonlat(crs)
    y = y0 + 0.05 * (y1 - y0)
    left = x0 + 0.05 * (x1 - x0)
    a, b = inv.transform(x0, y), inv.transform(x1, y)
    width_km = _geod().inv(a[0], a[1], b[0], b[1])[2] / 1000
    km = _nice_km(width_km)
    half = scale_bar_span(crs, left, y, km * 500)
    right = scale_bar_span(crs, left, y, km * 1000)
    bar_h = 0.012 * (y1 - y0)
    ax.add_patch(Rectangle((left - 0.015 * (x1 - x0), y - 0.02 * (y1 - y0)),
                           right - left + 0.06 * (x1 - x0), 0.075 * (y1 - y0),
                           facecolor="white", alpha=0.85, edgecolor="none", zorder=7,
                           gid="zaitaku-scalebar-box"))
    for s, e, colour in ((left, half, INK), (half, right, "white")):
        ax.add_patch(Rectangle((s, y), e - s, bar_h, facecolor=colour, edgecolor=INK,
                               linewidth=0.7, zorder=8))
    line, = ax.plot([left, right], [y, y], color=INK, linewidth=0.7, zorder=8)
    line.set_gid("zaitaku-scalebar")
    small = dict(fontsize=7, va="bottom", ha="center", zorder=8, color=INK)
    ax.text(left, y + bar_h * 1.4, "0", **small)
    ax.text(half, y + bar_h * 1.4, f"{km / 2:g}", **small)
    ax.text(right, y + bar_h * 1.4, f"{km:g} km", gid="zaitaku-scalebar-label", **small)
    return left, right, y, km


def draw_north_arrow(ax, crs):
    """An arrow at the map's upper right pointing to true north there
    (meridians converge in a projected map); returns its angle in degrees
    clockwise from up."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    size = 0.07 * (y1 - y0)
    x, y = x1 - 0.05 * (x1 - x0), y1 - 0.04 * (y1 - y0) - size
    angle = north_angle(crs, x, y)
    dx, dy = size * math.sin(math.radians(angle)), size * math.cos(math.radians(angle))
    ax.annotate("", xy=(x + dx, y + dy), xytext=(x, y), zorder=8,
                arrowprops=dict(arrowstyle="-|>,head_width=0.35,head_length=0.7", color=INK,
                                linewidth=1.4, shrinkA=0, shrinkB=0), gid="zaitaku-north")
    ax.text(x + dx * 1.12, y + dy * 1.12, "N", ha="center", va="bottom", fontsize=9,
            fontweight="bold", color=INK, zorder=8, gid="zaitaku-north-arrow")
    return angle


def _legend(ax, key, areas, facilities, people=()):
    """Two legends side by side below the map: the people out of reach and
    the areas (left, each under its bold heading), the facilities (right).
    The map axes' own labels (geopandas names the CRS axes) go."""
    from matplotlib.patches import Patch

    ax.set_xlabel("")
    ax.set_ylabel("")
    style = dict(frameon=False, fontsize=_LABEL_PT, handlelength=1.5, borderaxespad=0.0,
                 labelspacing=0.35, alignment="left", title_fontproperties={"weight": "bold",
                                                                             "size": _LABEL_PT})
    people = list(people)
    handles = people + ([Patch(visible=False, label="区域")] if people else []) + areas
    left = key.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, 1),
                      title=None if people else "区域", **style)
    headers = {people[0].get_label(), "区域"} if people else set()
    for text in left.get_texts():
        if text.get_text() in headers:
            text.set_fontweight("bold")
    key.add_artist(left)
    if facilities:
        key.legend(handles=facilities, loc="upper left", bbox_to_anchor=(0.47, 1),
                   title="施設の種類: 地図内の数", **style)


def _draw_overlays(ax, data, region_id, extent):
    """Draws the overlays of one region (region_id None: the overview, only
    those marked on_overview); returns (their legend handles, their labels
    to place: (x, y, text, colour), their point positions)."""
    import numpy as np

    handles, texts, points = [], [], []
    x0, y0, x1, y1 = extent
    for ov in data.overlays:
        if region_id is None and not ov.on_overview:
            continue
        frame = ov.frame if region_id is None else \
            ov.frame[ov.frame.region_id.astype(str) == str(region_id)]
        if not len(frame):
            continue
        is_points = frame.geom_type.isin(["Point"]).all()
        _draw(ax, frame if is_points else _clipped(_simplified(frame, extent), extent),
              **ov.style)
        if is_points:
            points += [(g.x, g.y) for g in frame.geometry]
        if ov.text:
            for geom, text in zip(frame.geometry, frame[ov.text]):
                at = geom if is_points else geom.representative_point()
                if str(text) and x0 < at.x < x1 and y0 < at.y < y1:
                    texts.append((at.x, at.y, str(text), ov.colour))
        if ov.handle is not None:
            handles.append(ov.handle)
    return handles, texts, np.array(points, float).reshape(-1, 2)


def _place_overlay_labels(placer, texts):
    """Overlay labels (ranks, people counts) beside their feature, clear of
    each other: around it, then farther out with a leader line."""
    import matplotlib.patheffects as pe

    halo = [pe.withStroke(linewidth=2.2, foreground="white")]
    for x, y, text, colour in texts:
        hw, hh = _label_half_pt(text, 7)
        near = L.around(x, y, placer, hw + 4, hh + 3, rings=(1, 1.6))
        far = L.around(x, y, placer, hw + 4, hh + 3, rings=(2.6, 3.8))
        placer.place(text, near, leader_from=(x, y), far=far, fontsize=7, fontweight="bold",
                     color=colour, path_effects=halo, zorder=9, gid="zaitaku-overlay-label")


def _placer(ax, facilities, overlay_points, extent):
    """A label placer for ax: clear of the scale bar and the north arrow,
    preferring spots without markers."""
    import numpy as np

    ax.apply_aspect()
    x0, y0, x1, y1 = extent
    x, y = facilities.geometry.x.to_numpy(), facilities.geometry.y.to_numpy()
    inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    points = np.vstack([np.column_stack([x[inside], y[inside]]), overlay_points])
    obstacles = [a for a in ax.patches if a.get_gid() == "zaitaku-scalebar-box"]
    obstacles += [t for t in ax.texts if t.get_gid() == "zaitaku-north-arrow"]
    obstacles += [t.arrow_patch for t in ax.texts
                  if t.get_gid() == "zaitaku-north" and t.arrow_patch is not None]
    return L.Placer(ax, obstacles=obstacles, points=points)


def _record(fig, placer, people_title):
    """What the report says of a map, kept on the figure: its legend's
    entries, the people layer's heading, the labels set beside their
    feature with a leader line or dropped for want of room, and the
    number of overlapping label boxes (counted on the figure as drawn)."""
    entries = [t.get_text() for ax in fig.axes for lg in
               ([a for a in ax.artists if type(a).__name__ == "Legend"] +
                ([ax.get_legend()] if ax.get_legend() is not None else []))
               for t in lg.get_texts() if t.get_text().strip()]
    fig.zaitaku_meta = dict(legend=entries, people=people_title,
                            dropped=list(placer.dropped), leadered=list(placer.leadered),
                            label_collisions=len(L.label_collisions(fig)))


def _credit(text):
    return f"© zaitaku / libcoverage; {text}" if text else "© zaitaku / libcoverage"


#: how the gaps are drawn: alone (the land view), or beneath the people
_GAPS = dict(facecolor=GAP_FACE, edgecolor=GAP_HATCH, hatch="///", linewidth=0, zorder=3)
_GAPS_LIGHT = dict(facecolor=GAP_LIGHT_FACE, edgecolor=GAP_LIGHT_HATCH, hatch="///",
                   linewidth=0, zorder=3)


def _area_handles(km, label, people, extra=()):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    gaps = _GAPS_LIGHT if people else _GAPS
    return [Patch(facecolor=REACHED, edgecolor="none", label=f"{km} 圏内（{label}）"),
            Patch(facecolor=gaps["facecolor"], edgecolor=gaps["edgecolor"], hatch="///",
                  linewidth=0, label=f"{km} 圏外の土地（空白地域）"),
            Line2D([], [], color=OUTLINE, linewidth=1.3, label="圏域の境界"), *extra]


# ---------------------------------------------------------------- maps

def overview_map(data, coverage, kind=None, title=None, credit=None, layer="people"):
    """The overview, labelled with each region's name and share within
    reach of ``kind``, with the facilities by kind.

    ``layer="people"`` (with the data's people layer): the people out of
    reach shaded in classes over the land within reach and the land out of
    reach (hatched, pale); ``"share"``: every region coloured by its share
    of demand within reach (four cividis classes).

    Returns a matplotlib Figure (not known to pyplot); its
    ``zaitaku_meta`` says what :func:`_record` keeps."""
    from matplotlib import rc_context
    from matplotlib.patches import Patch

    if layer not in ("people", "share"):
        raise ValueError(f"layer must be 'people' or 'share', not {layer!r}")
    kind = kind or data.kind
    people = layer == "people" and data.people is not None and kind == data.kind
    km = data.reach_text
    name = KIND_NAMES.get(kind, kind)
    title = title or (f"{km} 圏外に住む{data.people.label}（{name}）" if people else
                      f"{km} 圏内の人口割合（{name}）")
    rows = coverage[coverage["kind"] == kind].set_index("region_id")
    regions = data.regions.copy()
    regions["share"] = [rows["share_covered"].get(r, float("nan")) for r in regions.region_id]
    colours = share_colours()
    families = _font_families(stacklevel=4)
    with rc_context({"text.parse_math": False, "font.family": families, "hatch.linewidth": 0.6}):
        extent = _extent(regions.total_bounds)
        extra = sum(1 for ov in data.overlays if ov.on_overview)
        # two headings and the classes above the three kinds of land
        n_area = 2 + data.people.n_classes(_framed(extent), MAP_W_IN) + 3 if people \
            else len(SHARE_BREAKS)
        rows = max(n_area + extra, len(set(data.facilities["kind"])))
        fig, ax, key, extent = _figure(extent, title, _credit(credit),
                                       KEY_IN + 0.17 * max(0, extra), rows=rows)
        shown = data.shown("regions", extent)
        classes = [share_class(s) for s in regions["share"]]
        people_handles, people_title = [], None
        if people:
            shown.plot(ax=ax, aspect=None, color=LAND, edgecolor="none", zorder=1)
            _draw(ax, data.shown("reached", extent), facecolor=REACHED, edgecolor="none",
                  zorder=2)
            _draw(ax, data.shown("gaps", extent), **_GAPS_LIGHT)
            people_handles, people_title = P.draw(ax, data.people, extent, MAP_W_IN)
            shown.plot(ax=ax, aspect=None, color="none", edgecolor=OUTLINE, linewidth=0.8,
                       zorder=4)
            handles = _area_handles(km, name, True)
        else:
            faces = [colours[c] if c is not None else NO_DATA for c in classes]
            shown.plot(ax=ax, aspect=None, color=faces, edgecolor=OUTLINE, linewidth=0.8,
                       zorder=2)
            handles = [Patch(facecolor=colours[i], edgecolor=OUTLINE, linewidth=0.5,
                             label=f"{SHARE_LABELS[i]}: {classes.count(i)}圏域")
                       for i in range(len(SHARE_BREAKS))]
        size = 14 if len(data.facilities) <= 200 else 5
        markers = _facility_handles(ax, data.facilities, extent, size)
        more, texts, points = _draw_overlays(ax, data, None, extent)
        handles += more
        draw_scale_bar(ax, data.crs)
        draw_north_arrow(ax, data.crs)
        placer = _placer(ax, data.facilities, points, extent)
        _place_overlay_labels(placer, texts)
        labels = [f"{n}\n{_pct(s)}" for n, s in zip(regions.region_name, regions["share"])]
        _names(ax, shown, labels, extent, placer)
        _legend(ax, key, handles, markers, people_handles)
        _record(fig, placer, people_title)
    return fig


def _pct(share):
    if share != share:
        return "-"
    value = round(share * 100, 1)
    if value >= 100 and share < 1:
        return ">99.9%"
    return f"{value:.1f}%"


def region_map(data, region_id, title=None, credit=None):
    """One region: the people out of reach (the data's people layer, in
    classes), its land within reach of the data's kind, the land out of
    reach (hatched; pale beneath the people), the facilities by kind in
    and near it, the neighbouring regions in grey. Returns a matplotlib
    Figure (``zaitaku_meta`` as for :func:`overview_map`)."""
    from matplotlib import rc_context
    from matplotlib.patches import Patch

    regions = data.regions
    focus = regions[regions.region_id == region_id]
    if not len(focus):
        raise KeyError(f"no region {region_id!r} (regions: {', '.join(regions.region_id)})")
    name = focus.region_name.iloc[0] or region_id
    km = data.reach_text
    label = KIND_NAMES.get(data.kind, data.kind)
    people = data.people is not None
    title = title or (f"{name}: {km} 圏外に住む{data.people.label}（{label}）" if people else
                      f"{name}: {km} 圏内（{label}）")
    families = _font_families(stacklevel=4)
    with rc_context({"text.parse_math": False, "font.family": families, "hatch.linewidth": 0.6}):
        extent = _extent(focus.total_bounds, pad=0.08)
        extra = len(data.overlays)
        n_people = 2 + data.people.n_classes(_framed(extent), MAP_W_IN) if people else 0
        rows = max(4 + extra + n_people, len(set(data.facilities["kind"])))
        fig, ax, key, extent = _figure(extent, title, _credit(credit),
                                       KEY_IN + 0.17 * extra, rows=rows)
        # every layer simplified once per size of map (shared by the pages),
        # then cut to this map's box
        shown = data.shown("regions", extent)
        drawn = _clipped(shown, extent)
        mine = drawn.region_id == region_id
        _draw(ax, drawn[~mine], facecolor=OTHER_LAND, edgecolor="#999999", linewidth=0.5,
              zorder=1)
        _draw(ax, drawn[mine], facecolor=LAND, edgecolor="none", zorder=1)
        for layer, style in (("reached", dict(facecolor=REACHED, edgecolor="none", zorder=2)),
                             ("gaps", _GAPS_LIGHT if people else _GAPS)):
            part = data.shown(layer, extent)
            _draw(ax, _clipped(part[part.region_id == region_id], extent), **style)
        people_handles, people_title = P.draw(ax, data.people, extent, MAP_W_IN,
                                              region_id=region_id)
        _draw(ax, drawn[mine], facecolor="none", edgecolor=OUTLINE, linewidth=1.3, zorder=4)
        handles = _area_handles(km, label, people, [
            Patch(facecolor=OTHER_LAND, edgecolor="#999999", label="他の圏域")])
        size = 22 if len(data.facilities) <= 200 else 10
        markers = _facility_handles(ax, data.facilities, extent, size)
        more, texts, points = _draw_overlays(ax, data, region_id, extent)
        handles += more
        draw_scale_bar(ax, data.crs)
        draw_north_arrow(ax, data.crs)
        placer = _placer(ax, data.facilities, points, extent)
        _place_overlay_labels(placer, texts)
        _names(ax, shown, list(shown.region_name), extent, placer)
        _legend(ax, key, handles, markers, people_handles)
        _record(fig, placer, people_title)
    return fig


def save_figure(fig, path, dpi=300, pixels=None, palette=None):
    """Writes fig as PNG or SVG (by path's suffix) through a temporary file
    in the same folder; returns the path. SVG text is stored as paths, so
    it shows the same without the font. PNGs are indexed colour
    (:mod:`zaitaku.maps.raster`); ``pixels``, fig already drawn at dpi by
    :func:`~zaitaku.maps.raster.render`, saves drawing it again, and
    ``palette`` (their :func:`~zaitaku.maps.raster.commonest`) counting
    their colours again."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValueError(f"{path}: maps are written as .png or .svg, not {path.suffix!r}")
    if fig.canvas is None or not hasattr(fig.canvas, "print_figure"):
        FigureCanvasAgg(fig)
    def write(tmp):
        # no date and fixed element ids: the same map gives the same file
        with warnings.catch_warnings(), \
                rc_context({"svg.fonttype": "path", "savefig.bbox": "standard",
                            "svg.hashsalt": "zaitaku"}):
            if fmt == "svg":
                fig.savefig(tmp, format=fmt, dpi=dpi, facecolor="white", metadata={"Date": None})
            else:
                Path(tmp).write_bytes(raster.png_bytes(
                    raster.render(fig, dpi) if pixels is None else pixels, dpi,
                    palette=palette if pixels is not None else None))

    return atomic_file(path, write)


def figure_png_bytes(fig, dpi, pixels=None, drawn_dpi=None, palette=None):
    """fig as PNG bytes (for embedding), drawn at dpi, or resampled from
    ``pixels`` drawn at drawn_dpi (at least dpi), whose commonest colours
    may be given as ``palette``."""
    if pixels is None:
        return raster.png_bytes(raster.render(fig, dpi), dpi)
    return raster.png_bytes(pixels, dpi, drawn_dpi=drawn_dpi, palette=palette)


__all__ = ["MapData", "Overlay", "reach_text", "overview_map", "region_map", "save_figure", "draw_scale_bar",
           "draw_north_arrow", "scale_bar_span", "north_angle", "share_class",
           "share_colours", "SHARE_BREAKS", "SHARE_LABELS"]
