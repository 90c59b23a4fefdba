"""Maps of an analysis: the home-care areas, the land within reach of a kind
of facility, the gaps, and the facilities, with Japanese labels, a legend, a
scale bar, a north arrow and a source credit.

Maps are drawn in JGD2011 lon/lat (EPSG:6668) with the axes' aspect set to
1/cos(centre latitude), so shapes keep their proportions. Nothing here picks a
matplotlib backend or changes global settings: :func:`plot_analysis` draws on
a pyplot figure (shown inline in notebooks) or on the axes it is given, and
:func:`save_map` draws on a figure of its own that pyplot never sees.

Examples
--------
>>> import zaitaku, zaitaku.maps.plot
>>> an = zaitaku.Analysis.sample()  # doctest: +SKIP
>>> zaitaku.maps.plot.save_map(an, "map.png")  # doctest: +SKIP
PosixPath('map.png')
"""
import math
import os
import re
import warnings
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from ..errors import CoverageWarning, InvalidArgumentError
from ..kinds import DOCTOR_AND_NURSING, DOCTOR_ANY, KIND_NAMES
from ..outputs import atomic_file


# Okabe & Ito's colour-blind-safe palette; each kind also has its own marker
# so that the map still reads when printed in grey.
_OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
              "#000000"]
#: Colour and marker of each facility kind (kinds not listed take the rest).
KIND_STYLES = {
    "enhanced_single": ("#0072B2", "D"),
    "enhanced_network": ("#56B4E9", "p"),
    "zaishin": ("#E69F00", "o"),
    "zaibyo": ("#009E73", "s"),
    "backup_hospital": ("#CC79A7", "H"),
    "nursing": ("#D55E00", "^"),
    "hospital": ("#000000", "P"),
    "clinic": ("#F0E442", "v"),
}
_SPARE_MARKERS = ["*", "X", "<", ">", "h", "8"]
_THIN_MARKERS = {"P", "X", "*"}

LAND, REACHED = "#f4f4f4", "#bcdcf2"
GAP_FACE, GAP_HATCH = "#fde6d6", "#D55E00"
# the land out of reach beneath the people layer: the same hatch, paler
GAP_LIGHT_FACE, GAP_LIGHT_HATCH = "#fcf1ea", "#eeb899"
OUTLINE, INK = "#333333", "#222222"
CREDIT = "© zaitaku / libcoverage"

_BAND = 0.14        # share of the map's height kept below the land for the scale bar
_LABEL_PT = 8.5     # legend text
_NAME_PT = 10       # region names
_CREDIT_PT = 7

_PREFERRED_FONTS = ("Noto Sans CJK JP", "IPAexGothic", "IPAGothic", "Noto Sans JP",
                    "TakaoGothic", "VL Gothic", "Source Han Sans JP", "IPAPGothic",
                    "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", "Meiryo",
                    "MS Gothic", "Noto Sans CJK SC", "Source Han Sans")
# font files worth adding when matplotlib's font cache predates their install
_FONT_FILE = re.compile(r"(NotoSansCJK|NotoSansJP|SourceHanSans|ipaexg|ipag|Takao|VL-Gothic)",
                        re.IGNORECASE)
_FONT_PACKAGES = ("matplotlib_fontja", "japanize_matplotlib")
_PROBE = "在宅医療圏訪問看護診療所病院区域施設種類数空白地域境界"
_FALLBACK = "DejaVu Sans"

_NO_FONT_MESSAGE = (
    "zaitaku.maps.plot: matplotlib has no Japanese font, so the Japanese labels of this map will "
    "show as empty boxes. Install one, e.g. `sudo apt-get install fonts-noto-cjk` "
    "(Debian/Ubuntu) or `pip install matplotlib-fontja` (or japanize-matplotlib on Python "
    "3.11), then restart Python.")


def kind_label(kind):
    """The legend text for a kind: its Japanese name and its id.

    Examples
    --------
    >>> kind_label("nursing")
    '訪問看護ステーション (nursing)'
    >>> kind_label("dentist")
    'dentist'
    """
    name = KIND_NAMES.get(kind)
    return f"{name} ({kind})" if name else str(kind)


def default_title(kind, radius_m):
    """The map title, e.g. ``"16 km 圏内: 医師と訪問看護の両方"``.

    Examples
    --------
    >>> default_title("doctor_and_nursing", 16000.0)
    '16 km 圏内: 医師と訪問看護の両方'
    """
    return f"{radius_m / 1000:g} km 圏内: {KIND_NAMES.get(kind, kind)}"


# ---------------------------------------------------------------- fonts

def _has_glyphs(name):
    from matplotlib import font_manager as fm

    try:
        path = fm.findfont(fm.FontProperties(family=name), fallback_to_default=False)
        font = fm.get_font(path)
    except (ValueError, RuntimeError, OSError):
        return False
    return all(font.get_char_index(ord(c)) for c in _PROBE)


def _pick(names):
    ranked = [n for n in _PREFERRED_FONTS if n in names]
    ranked += sorted(n for n in names if "CJK JP" in n and n not in ranked)
    for name in ranked:
        if _has_glyphs(name):
            return name
    return None


def _installed_font_names():
    from matplotlib import font_manager as fm

    return {f.name for f in fm.fontManager.ttflist}


def _add_missed_fonts():
    """Adds Japanese fonts that matplotlib's cached font list lacks: those
    installed after the cache was built, and those of a font package."""
    from matplotlib import font_manager as fm

    paths = [p for p in fm.findSystemFonts() if _FONT_FILE.search(os.path.basename(p))]
    for package in _FONT_PACKAGES:
        spec = find_spec(package)  # finds it without importing it (that changes rcParams)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            paths += [str(p) for p in Path(folder).rglob("*")
                      if p.suffix.lower() in (".ttf", ".otf", ".ttc")]
    known = {os.path.realpath(f.fname) for f in fm.fontManager.ttflist}
    for path in paths:
        if os.path.realpath(path) not in known:
            try:
                fm.fontManager.addfont(path)
            except (RuntimeError, OSError, ValueError):
                continue


@lru_cache(maxsize=1)
def _find_japanese_font():
    name = _pick(_installed_font_names())
    if name is None:
        _add_missed_fonts()
        name = _pick(_installed_font_names())
    return name


def japanese_font():
    """The family name of an installed font with Japanese glyphs, or None.

    Looks through matplotlib's fonts, preferring Noto Sans CJK JP, then
    IPAexGothic, IPAGothic, Noto Sans JP, TakaoGothic, VL Gothic, Source Han
    Sans JP and others; when it knows none, it also adds such fonts installed
    after matplotlib built its font cache, and those bundled by
    ``matplotlib-fontja`` or ``japanize-matplotlib``. A font counts only if
    it has glyphs for the labels' characters.

    Returns
    -------
    str or None

    Examples
    --------
    >>> from zaitaku.maps.plot import japanese_font
    >>> japanese_font()  # doctest: +SKIP
    'Noto Sans CJK JP'
    """
    name = _find_japanese_font()
    if name is None:
        _find_japanese_font.cache_clear()  # so that a font installed later is found
    return name


def _font_families(stacklevel=3):
    name = japanese_font()
    if name is None:
        warnings.warn(_NO_FONT_MESSAGE, CoverageWarning, stacklevel=stacklevel)
        return [_FALLBACK]
    return [name, _FALLBACK]


def _ems(text):
    """The width of text in ems, roughly (CJK and full-width characters are
    one em, others about half)."""
    return sum(1.0 if ord(c) >= 0x2E80 else 0.55 for c in text)


def _wrap(text, max_ems):
    """Text broken into lines of at most max_ems, at "; " where possible."""
    lines, line = [], ""
    for piece in re.split(r"(?<=; )", text):
        while _ems(line + piece) > max_ems:
            if line:
                lines.append(line.rstrip())
                line = ""
                continue
            cut = next(i for i in range(1, len(piece) + 1) if _ems(piece[:i]) > max_ems) - 1
            lines.append(piece[:max(cut, 1)])
            piece = piece[max(cut, 1):]
        line += piece
    return "\n".join(lines + [line.rstrip()] if line else lines)


# ---------------------------------------------------------------- data

def _reached_and_gaps(analysis, kind, radius, regions):
    """The reached land of kind and its gaps (GeoDataFrames, maybe empty).
    A kind none of the facilities has reaches nothing: all land is a gap."""
    try:
        gaps = analysis.gaps(radius, kind=kind)
    except InvalidArgumentError:
        if kind not in KIND_NAMES or kind in analysis.facilities.kinds:
            known = sorted(set(analysis.facilities.kinds) | {DOCTOR_ANY, DOCTOR_AND_NURSING})
            raise ValueError(f"kind {kind!r} is not a kind of these facilities nor a derived "
                             f"kind (kinds: {', '.join(known)})") from None
        return regions.iloc[:0], regions
    return analysis.service_areas(radius, by="region", kind=kind), gaps


def _bounds(regions, points, radius_m):
    """The regions' bounds, widened to the facilities close enough to reach
    into them (a facility far across a border does not shrink the map); the
    facilities' bounds when there are no regions."""
    import numpy as np

    if not len(regions) or not np.all(np.isfinite(regions.total_bounds)):
        if len(points) and np.all(np.isfinite(points.total_bounds)):
            return tuple(points.total_bounds)
        return (135.0, 35.0, 136.0, 36.0)  # nothing to draw: any small square
    minx, miny, maxx, maxy = regions.total_bounds
    if len(points):
        dlat = radius_m / 111_000
        dlon = dlat / max(math.cos(math.radians((miny + maxy) / 2)), 0.1)
        x, y = points.geometry.x.to_numpy(), points.geometry.y.to_numpy()
        near = ((x >= minx - dlon) & (x <= maxx + dlon) & (y >= miny - dlat) &
                (y <= maxy + dlat))
        if near.any():
            minx, maxx = min(minx, x[near].min()), max(maxx, x[near].max())
            miny, maxy = min(miny, y[near].min()), max(maxy, y[near].max())
    return (minx, miny, maxx, maxy)


# ---------------------------------------------------------------- layout

def _set_extent(ax, bounds):
    """Limits around bounds with a band at the bottom for the scale bar and
    the north arrow, and the aspect that keeps shapes true."""
    minx, miny, maxx, maxy = bounds
    width, height = max(maxx - minx, 1e-3), max(maxy - miny, 1e-3)
    total = height / (1 - _BAND - 0.03)
    ax.set_xlim(minx - 0.03 * width, maxx + 0.03 * width)
    ax.set_ylim(miny - _BAND * total, maxy + 0.03 * total)
    ax.set_aspect(1 / math.cos(math.radians((miny + maxy) / 2)), adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_edgecolor("#888888")
        spine.set_linewidth(0.6)


def _room(ax):
    """The inches the axes may fill (the whole figure less the title for a
    single plot; a share of it for one of several)."""
    fig_w, fig_h = ax.figure.get_size_inches()
    pos = ax.get_position(original=True)
    return (fig_w * min(1.0, pos.width / 0.775) - 0.2,
            fig_h * min(1.0, pos.height / 0.77) - 0.6)


def _plan(ax, groups, credit_lines):
    """Whether the legend goes right of the map (else below), and the map's
    width in inches, whichever gives the larger map."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    box = (y1 - y0) * ax.get_aspect() / (x1 - x0)  # map height / width
    room_w, room_h = _room(ax)
    row = _LABEL_PT * 1.75 / 72
    credit_h = credit_lines * _CREDIT_PT * 1.5 / 72
    below_h = max(len(g) for g in groups) * row + 0.15
    right_w = max(_ems(h.get_label()) for g in groups for h in g) * _LABEL_PT / 72 + 0.7
    below = min(room_w, (room_h - below_h - credit_h) / box)
    right = min(room_w - right_w, (room_h - credit_h) / box)
    return right > below, max(below, right, 1.0)


# ---------------------------------------------------------------- drawing

def _draw_layer(ax, frame, **style):
    if frame is not None and len(frame) and not frame.geometry.is_empty.all():
        frame.plot(ax=ax, aspect=None, **style)


#: plot() draws geometry simplified to this share of the map's longer side
#: (a fifth of a pixel on an 8-inch map at 100 dpi, 0.4 pixel at 200 dpi)
DRAW_TOLERANCE = 1 / 4000


def _drawn(frame, tolerance):
    """frame with its geometry simplified to tolerance (in its CRS's units)
    for drawing, row for row: Douglas-Peucker without topology preservation
    (20-40x faster than with it on Hokkaido's areas, 722,000 vertices), and
    below a pixel what it may drop (islets, slivers) is not seen. Tables and
    areas keep the full geometry; only what is drawn is simplified."""
    if frame is None or not len(frame) or not tolerance > 0:
        return frame
    out = frame.copy()
    out["geometry"] = frame.geometry.simplify(tolerance, preserve_topology=False)
    return out



def kind_styles(kinds):
    """(kind, colour, marker) for each distinct kind in kinds: the known
    kinds in KIND_STYLES order with their own style, then the others sorted,
    with spare Okabe-Ito colours and markers."""
    present = set(kinds)
    known = [k for k in KIND_STYLES if k in present]
    for kind in known:
        yield (kind, *KIND_STYLES[kind])
    for spare, kind in enumerate(sorted(present - set(KIND_STYLES))):
        yield (kind, _OKABE_ITO[spare % len(_OKABE_ITO)],
               _SPARE_MARKERS[spare % len(_SPARE_MARKERS)])

def _draw_facilities(ax, facilities):
    """Markers per kind; returns the legend handles (one per kind drawn)."""
    from matplotlib.lines import Line2D

    if facilities is None or not len(facilities):
        return []
    size = 40 if len(facilities) <= 150 else 16
    handles = []
    for kind, colour, marker in kind_styles(facilities["kind"]):
        pts = facilities[facilities["kind"] == kind]
        edge = "white" if colour == "#000000" else "#1a1a1a"
        thin = marker in _THIN_MARKERS  # look smaller than a disc of the same size
        ax.scatter(pts.geometry.x, pts.geometry.y, s=size * (1.8 if thin else 1), c=colour,
                   marker=marker, edgecolors=edge, linewidths=0.6 if size > 20 else 0.4,
                   zorder=5, gid=f"zaitaku-facility-{kind}")
        handles.append(Line2D([], [], linestyle="none", marker=marker,
                              markersize=9 if thin else 7, markerfacecolor=colour,
                              markeredgecolor=edge, markeredgewidth=0.6,
                              label=f"{kind_label(kind)}: {len(pts)}",
                              gid=f"zaitaku-facility-{kind}"))
    return handles


def _area_handles(kind, radius_m, gaps, people=False):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    km = f"{radius_m / 1000:g} km"
    handles = [Patch(facecolor=REACHED, edgecolor="none",
                     label=f"{km} 圏内（{KIND_NAMES.get(kind, kind)}）")]
    if gaps:
        face, hatch = (GAP_LIGHT_FACE, GAP_LIGHT_HATCH) if people else (GAP_FACE, GAP_HATCH)
        handles.append(Patch(facecolor=face, edgecolor=hatch, hatch="///", linewidth=0,
                             label=f"{km} 圏外の土地（空白地域）" if people else
                             f"{km} 圏外（空白地域）"))
    handles.append(Line2D([], [], color=OUTLINE, linewidth=1.2, label="在宅医療圏の境界"))
    return handles


def _legend_groups(area_handles, facility_handles, people_handles=()):
    from matplotlib.patches import Patch

    groups = [list(people_handles)] if people_handles else []
    groups += [[Patch(visible=False, label="区域")] + area_handles]
    if facility_handles:
        groups.append([Patch(visible=False, label="施設の種類: 数")] + facility_handles)
    return groups


def _draw_legend(ax, groups, right):
    """One legend, areas and facilities in two titled groups: right of the
    map, or below it with a column per group."""
    from matplotlib.patches import Patch

    blank = lambda: Patch(visible=False, label=" ")  # noqa: E731
    if right:
        handles = [h for i, g in enumerate(groups) for h in ([blank()] if i else []) + g]
        where = dict(loc="upper left", bbox_to_anchor=(1.01, 1.0), ncols=1)
    else:
        rows = max(len(g) for g in groups)
        handles = [h for g in groups for h in g + [blank() for _ in range(rows - len(g))]]
        where = dict(loc="upper center", bbox_to_anchor=(0.5, -0.01), ncols=len(groups))
    legend = ax.legend(handles=handles, frameon=False, fontsize=_LABEL_PT, handlelength=1.6,
                       columnspacing=2.0, borderaxespad=0.2, **where)
    headers = {g[0].get_label() for g in groups if not g[0].get_visible()}
    for text in legend.get_texts():
        if text.get_text() in headers:
            text.set_fontweight("bold")
    return legend


def _label_point(polygon, zones, half_w, half_h):
    """The centre for a label of half-size (half_w, half_h) deep inside
    polygon and outside zones (boxes the centre must avoid, as an n x 4
    array), and how far the label's edge is from the nearest obstacle in
    label half-sizes (1 or more: it fits clear of everything); None when
    polygon less the zones is empty.

    Scaling x by 1/half_w and y by 1/half_h makes the label a unit square,
    so the pole of inaccessibility of what is left is the position farthest
    from the polygon's edge and from the zones."""
    import numpy as np
    import shapely
    from shapely import affinity
    from shapely.ops import polylabel

    scaled = affinity.scale(polygon, 1 / half_w, 1 / half_h, origin=(0, 0))
    if len(zones):
        boxes = shapely.box(zones[:, 0] / half_w, zones[:, 1] / half_h, zones[:, 2] / half_w,
                            zones[:, 3] / half_h)
        scaled = scaled.difference(shapely.union_all(boxes))
    parts = [g for g in getattr(scaled, "geoms", [scaled])
             if g.geom_type == "Polygon" and g.area > 0]
    if not parts:
        return None
    free = max(parts, key=lambda g: g.area)
    try:
        point = polylabel(free, tolerance=0.05)
    except Exception:  # noqa: BLE001 - polylabel rejects some odd rings
        point = free.representative_point()
    if point.is_empty:
        return None
    x, y = point.x * half_w, point.y * half_h
    if not (np.isfinite([x, y]).all() and polygon.contains(shapely.Point(x, y))):
        return None
    return x, y, free.boundary.distance(point)


def _draw_region_names(ax, regions, points, map_width_in):
    """Each region's name inside its largest part, clear of the markers and
    of the names already placed (narrow parts first, as they have the least
    room), or beside a part too small to hold it when that is sea (an
    island)."""
    import matplotlib.patheffects as pe
    import numpy as np
    import shapely

    (x0, x1) = ax.get_xlim()
    lon_pt = (x1 - x0) / map_width_in / 72
    lat_pt = lon_pt / ax.get_aspect()
    marker = 4.0 if points is not None and len(points) <= 150 else 2.5  # half-size, points
    xy = (np.column_stack([points.geometry.x, points.geometry.y])
          if points is not None and len(points) else np.empty((0, 2)))
    placed = np.empty((0, 4))  # label boxes
    halo = [pe.withStroke(linewidth=3, foreground="white")]
    # a point's worth of detail is all that placing names needs
    regions = regions[regions.geometry.notna() & ~regions.geometry.is_empty]
    # (without topology preservation: 10-20x faster on Hokkaido's 722,000
    # vertices; the rare ring it makes invalid is mended)
    land = shapely.simplify(regions.geometry.to_numpy(), lon_pt, preserve_topology=False)
    bad = ~shapely.is_valid(land)
    land[bad] = shapely.make_valid(land[bad])
    shapely.prepare(land)
    jobs = []
    for name, geom in zip(regions["region_name"], land):
        if name and not geom.is_empty:
            largest = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
            jobs.append((largest.bounds[2] - largest.bounds[0], name, largest))
    for _, name, part in sorted(jobs, key=lambda job: job[0]):
        minx, miny, maxx, maxy = part.bounds
        # half-sizes with the halo and a little air (bold is wider than _ems says)
        hw = (_ems(name) * _NAME_PT * 1.1 / 2 + 2) * lon_pt
        hh = (_NAME_PT * 0.7 + 2) * lat_pt
        near_markers = np.column_stack([xy[:, 0] - hw - marker * lon_pt,
                                        xy[:, 1] - hh - marker * lat_pt,
                                        xy[:, 0] + hw + marker * lon_pt,
                                        xy[:, 1] + hh + marker * lat_pt])
        near_labels = placed + np.array([-hw, -hh, hw, hh])
        inside = lambda z: z[(z[:, 0] < maxx) & (z[:, 2] > minx) &  # noqa: E731
                             (z[:, 1] < maxy) & (z[:, 3] > miny)]
        near_markers, near_labels = inside(near_markers), inside(near_labels)
        # clear of markers if the name mostly fits there, else clear of names only
        best = _label_point(part, np.vstack([near_markers, near_labels]), hw, hh)
        if best is None or best[2] < 0.5:
            other = _label_point(part, near_labels, hw, hh)
            if other and (best is None or other[2] > best[2]):
                best = other
        # a part too small for its name (an island): beside it, if that is sea
        if best is None or (best[2] < 0.9 and part.area < 2 * (4 * hw * hh)):
            best = _beside(part, land, placed, hw, hh, 3 * lat_pt) or best
        if best is None:
            continue
        x, y = best[0], best[1]
        placed = np.vstack([placed, [x - hw, y - hh, x + hw, y + hh]])
        ax.text(x, y, name, ha="center", va="center", zorder=6, color="#111111",
                fontsize=_NAME_PT, fontweight="bold", path_effects=halo,
                gid="zaitaku-region-name")


def _beside(part, land, placed, hw, hh, gap):
    """A label centre just below or above part whose box touches no land
    (an array of prepared region outlines) and no placed label (an island
    named in the sea), or None."""
    import shapely

    minx, miny, maxx, maxy = part.bounds
    x = (minx + maxx) / 2
    for y in (miny - gap - hh, maxy + gap + hh):
        box = shapely.box(x - hw, y - hh, x + hw, y + hh)
        clear = not shapely.intersects(land, box).any() and not any(
            x - hw < b[2] and b[0] < x + hw and y - hh < b[3] and b[1] < y + hh for b in placed)
        if clear:
            return x, y, 1.0
    return None


def _nice_km(width_km, share=0.25):
    """The largest round length (1, 2 or 5 times a power of ten) no longer
    than share of the map's width, in km."""
    target = width_km * share
    power = 10 ** math.floor(math.log10(target))
    for step in (5, 2, 1):
        if step * power <= target:
            return step * power
    return power


def _east_lon(geod, lon, lat, length_m):
    """The longitude east of (lon, lat) on the same parallel at a geodesic
    distance of length_m."""
    dlon = length_m / (geod.a * math.cos(math.radians(lat)) * math.pi / 180)
    for _ in range(8):
        dist = geod.inv(lon, lat, lon + dlon, lat)[2]
        if abs(dist - length_m) < 1e-6:
            break
        dlon *= length_m / dist
    return lon + dlon


def _draw_scale_bar(ax, map_width_in):
    """A two-segment black and white bar at the bottom left, its length
    measured geodesically (GRS80) along the parallel it stands on: about a
    quarter of the map's width, but at least an inch or so on a narrow map."""
    from matplotlib.patches import Rectangle
    from pyproj import Geod

    geod = Geod(ellps="GRS80")
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    lat = y0 + 0.035 * (y1 - y0)
    width_km = geod.inv(x0, lat, x1, lat)[2] / 1000
    km = _nice_km(width_km)
    if km / width_km * map_width_in < 0.9:
        km = _nice_km(width_km, share=0.6)
    left = x0 + 0.04 * (x1 - x0)
    half = _east_lon(geod, left, lat, km * 500)
    right = _east_lon(geod, left, lat, km * 1000)
    bar_h = 0.011 * (y1 - y0)
    for a, b, colour in ((left, half, INK), (half, right, "white")):
        ax.add_patch(Rectangle((a, lat), b - a, bar_h, facecolor=colour, edgecolor=INK,
                               linewidth=0.8, zorder=7))
    line, = ax.plot([left, right], [lat, lat], color=INK, linewidth=0.8, zorder=7,
                    solid_capstyle="butt")
    line.set_gid("zaitaku-scalebar")
    small = dict(fontsize=8, va="bottom", ha="center", zorder=7, color=INK)
    above = lat + bar_h * 1.5
    ax.text(left, above, "0", **small)
    if km / width_km * map_width_in >= 0.9:  # room for the middle figure
        ax.text(half, above, f"{km / 2:g}", **small)
    ax.text(right, above, f"{km:g} km", gid="zaitaku-scalebar-label", **small)


def _draw_north_arrow(ax):
    # Meridians are vertical in lon/lat axes, so north is straight up. The
    # arrow stands in the bottom band's right corner, which no land reaches.
    ax.annotate("", xy=(0.955, 0.085), xytext=(0.955, 0.02), xycoords="axes fraction",
                zorder=7, arrowprops=dict(arrowstyle="-|>,head_width=0.3,head_length=0.6",
                                          color=INK, linewidth=1.4, shrinkA=0, shrinkB=0))
    ax.text(0.955, 0.087, "N", transform=ax.transAxes, ha="center", va="bottom", zorder=7,
            fontsize=9, fontweight="bold", color=INK, gid="zaitaku-north-arrow")


def _credit_text(credit, map_width_in):
    text = CREDIT if not credit else f"{CREDIT}; {credit}"
    return _wrap(text, max(20.0, map_width_in * 72 / _CREDIT_PT))


def _draw_credit(ax, text, legend, right):
    """The credit under the map, left-aligned; under the legend when the
    legend is below the map."""
    anchor = legend if legend is not None and not right else ax
    ax.annotate(text, xy=(0, 0), xycoords=("axes fraction", anchor), xytext=(0, -4),
                textcoords="offset points", ha="left", va="top", fontsize=_CREDIT_PT,
                color="#555555", gid="zaitaku-credit", annotation_clip=False)


# ---------------------------------------------------------------- public

def _draw_people(ax, analysis, kind, radius, weight, nursing_kinds, bounds, map_width_in):
    """The people out of reach of kind (:mod:`zaitaku.maps.people`) on the
    lon/lat axes: classed in the analysis's projected CRS (the cells' size
    in metres), drawn back in lon/lat. Returns the legend handles."""
    import numpy as np
    from pyproj import CRS, Transformer

    from ..columns import weight_text
    from .people import PeopleLayer, draw, out_of_reach

    weight = analysis.demand.weight_name(weight)

    crs = CRS.from_user_input(analysis.crs)
    layer = PeopleLayer(out_of_reach(analysis, kind, weight, radius, nursing_kinds), weight, crs,
                        weight_text(weight))
    fwd = Transformer.from_crs("EPSG:6668", crs, always_xy=True)
    inv = Transformer.from_crs(crs, "EPSG:6668", always_xy=True)
    minx, miny, maxx, maxy = bounds
    xs, ys = fwd.transform([minx, maxx, minx, maxx], [miny, miny, maxy, maxy])
    extent = (min(xs), min(ys), max(xs), max(ys))
    handles, _ = draw(ax, layer, extent, map_width_in, zorder=3.5,
                      to_map=lambda xy: np.column_stack(inv.transform(xy[:, 0], xy[:, 1])))
    return handles


def plot_analysis(analysis, kind=DOCTOR_AND_NURSING, radius=None, ax=None, title=None,
                  facilities=True, gaps=True, figsize=(8, 8), credit=None, people=False,
                  weight=None, nursing_kinds=("nursing",)):
    """Draws a map of an analysis: the regions and their names, the land
    within reach of ``kind``, its gaps, and the facilities by kind.

    Parameters
    ----------
    analysis : Analysis
    kind : str
        A facility kind (``nursing``, ``zaishin`` ...) or a derived one
        (``doctor_any``, ``doctor_and_nursing``). A kind none of the
        facilities has reaches nothing, so all land is drawn as a gap.
    radius : str or float, optional
        Reach, e.g. ``"16km"`` (default the analysis's).
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new pyplot figure of ``figsize``.
    title : str, optional
        Default e.g. ``"16 km 圏内: 医師と訪問看護の両方"``; ``""`` for none.
    facilities, gaps : bool
        Draw the facility markers; draw the gaps (hatched).
    credit : str, optional
        Source text added to the credit line, e.g.
        ``"国土数値情報（行政区域データ）を加工して作成"``.
    people : bool
        Shade the people out of reach of ``kind`` (the demand units no
        facility of it reaches, as mesh cells, or summed into squares when
        the cells are too small to see), in classes with their own legend
        group; the land out of reach is then drawn paler beneath. Off by
        default: the map of land stays as it was.
    weight : str, optional
        The weight ``people`` counts (default the demand's first).
    nursing_kinds : sequence of str
        The nursing kinds of ``doctor_and_nursing``, for ``people``.

    Returns
    -------
    matplotlib.axes.Axes
        Its legend has the reached land, the gaps and the outline, then one
        entry per facility kind present. The scale bar's line has gid
        ``"zaitaku-scalebar"`` and its label ``"zaitaku-scalebar-label"``.

    Warns
    -----
    CoverageWarning
        Once, when no Japanese font is installed (labels then show as boxes).

    Examples
    --------
    >>> import zaitaku
    >>> ax = zaitaku.Analysis.sample().plot(kind="nursing")  # doctest: +SKIP
    """
    return _plot(analysis, kind, radius, ax, title, facilities, gaps, figsize, credit,
                 _font_families(), (weight, nursing_kinds) if people else None)


def _plot(analysis, kind, radius, ax, title, facilities, gaps, figsize, credit, families,
          people=None):
    from matplotlib import rc_context

    radius_m = analysis.model_for(radius)[1]
    regions = analysis.regions.to_geodataframe()
    reached, gap_frame = _reached_and_gaps(analysis, kind, radius, regions)
    points = analysis.facilities.to_geodataframe()
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure(figsize=figsize, layout="constrained").add_subplot()
    # texts take their font when they are made, so nothing outlives this block
    bounds = _bounds(regions, points, radius_m)
    tolerance = DRAW_TOLERANCE * max(bounds[2] - bounds[0], bounds[3] - bounds[1])
    with rc_context({"text.parse_math": False, "font.family": families, "hatch.linewidth": 0.7}):
        outlines = _drawn(regions, tolerance)
        _draw_layer(ax, outlines, facecolor=LAND, edgecolor="none", zorder=1)
        _draw_layer(ax, _drawn(reached, tolerance), facecolor=REACHED, edgecolor="none",
                    zorder=2)
        if gaps:
            face, hatch = (GAP_LIGHT_FACE, GAP_LIGHT_HATCH) if people else (GAP_FACE, GAP_HATCH)
            _draw_layer(ax, _drawn(gap_frame, tolerance), facecolor=face,
                        edgecolor=hatch, hatch="///", linewidth=0, zorder=3)
        people_handles = _draw_people(ax, analysis, kind, radius, people[0], people[1], bounds,
                                      _room(ax)[0]) if people else []
        _draw_layer(ax, outlines, facecolor="none", edgecolor=OUTLINE, linewidth=1.1, zorder=4)
        shown = points if facilities else None
        groups = _legend_groups(_area_handles(kind, radius_m, gaps, bool(people)),
                                _draw_facilities(ax, shown), people_handles)
        _set_extent(ax, bounds)
        credit_text = _credit_text(credit, _room(ax)[0])
        right, map_width_in = _plan(ax, groups, credit_text.count("\n") + 1)
        _draw_region_names(ax, regions, shown, map_width_in)
        _draw_scale_bar(ax, map_width_in)
        _draw_north_arrow(ax)
        legend = _draw_legend(ax, groups, right)
        _draw_credit(ax, _credit_text(credit, map_width_in), legend, right)
        # the title's Text was made with the axes, before this block
        ax.set_title(default_title(kind, radius_m) if title is None else title, pad=8,
                     fontsize=13, fontweight="bold", fontfamily=families)
    return ax


def save_map(analysis, path, kind=DOCTOR_AND_NURSING, radius=None, dpi=200, **kwargs):
    """Draws the map (see :func:`plot_analysis`) and writes it to ``path``,
    a PNG or SVG by its suffix, through a temporary file in the same folder.

    The image is exactly ``figsize`` (default 8 x 8 inches) times ``dpi``
    pixels. The figure is made apart from pyplot and let go afterwards.

    Parameters
    ----------
    analysis : Analysis
    path : str or path-like
        Ends in ``.png`` or ``.svg``.
    kind, radius
        As for :func:`plot_analysis`.
    dpi : float
        Pixels per inch.
    **kwargs
        ``title``, ``facilities``, ``gaps``, ``figsize``, ``credit``,
        ``people``, ``weight``, ``nursing_kinds`` of :func:`plot_analysis`.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, zaitaku
    >>> from pathlib import Path
    >>> from zaitaku.maps.plot import save_map
    >>> folder = Path(tempfile.mkdtemp())
    >>> path = save_map(zaitaku.Analysis.sample(), folder / "nursing.png", kind="nursing",
    ...                 dpi=20, credit="サンプル県（架空）")
    >>> path.name, path.read_bytes()[1:4]
    ('nursing.png', b'PNG')
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    options = dict(title=None, facilities=True, gaps=True, figsize=(8, 8), credit=None,
                   people=False, weight=None, nursing_kinds=("nursing",))
    unknown = sorted(set(kwargs) - set(options))
    if unknown:
        raise TypeError(f"save_map() got unexpected keyword argument(s) {', '.join(unknown)}"
                        + ("; it draws its own figure (save yours with ax.figure.savefig())"
                           if "ax" in unknown else ""))
    options.update(kwargs)
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValueError(f"{path}: save_map writes .png or .svg files, not "
                         f"{path.suffix or 'a name without suffix'!r}")
    families = _font_families()
    fig = Figure(figsize=options["figsize"], dpi=dpi, layout="constrained")
    _plot(analysis, kind, radius, fig.add_subplot(), options["title"], options["facilities"],
          options["gaps"], options["figsize"], options["credit"], families,
          (options["weight"], options["nursing_kinds"]) if options["people"] else None)
    def write(tmp):
        with warnings.catch_warnings(), \
                rc_context({"savefig.bbox": "standard", "svg.fonttype": "path"}):
            if len(families) == 1:  # the user was warned once about the missing font
                warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
            if fmt == "png":
                from .raster import png_bytes, render

                Path(tmp).write_bytes(png_bytes(render(fig, dpi), dpi))
            else:
                fig.savefig(tmp, format=fmt, dpi=dpi, facecolor="white")

    try:
        atomic_file(path, write)
    finally:
        fig.clear()
    return path
