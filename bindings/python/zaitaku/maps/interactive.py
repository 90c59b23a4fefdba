"""Interactive maps: :func:`explore` makes one self-contained HTML page
(inline SVG and a small script of its own, no library, no tile server, no
resource from the network), that pans and zooms and shows

- the regions coloured by the share of people within reach of a kind (a
  selector switches the kind; a tooltip gives name, share, people in reach
  and in all);
- the population cells (mesh cells as squares shaded by weight; cells out
  of reach of the selected kind in oranges);
- the facilities by kind (the marker and colour of the print maps; a popup
  gives name, kind and id);
- layers toggled by checkboxes: the land within reach per kind
  (``service_areas(kind=...)``), the gaps (``gaps()``), region names;
- a legend, a scale bar (measured on the ground) and the data credit.

Geometry is drawn in the analysis's projected CRS (as :mod:`.mapstyle`),
simplified to a nominal pixel of a map ``pixels`` wide and rounded to it,
so that all Hokkaido stays a few MB. Names are data: they travel as JSON
(``<``, ``>`` and ``&`` escaped, so no text can close the script) and the
script writes them with ``textContent``, never as HTML.

:func:`folium_map` is the older folium map: it needs the network (leaflet's
script and the tiles come from CDNs), even with ``tiles=None``.

Examples
--------
>>> import zaitaku
>>> from zaitaku.maps.interactive import explore
>>> m = explore(zaitaku.Analysis.sample())  # doctest: +SKIP
>>> m.save("map.html")  # doctest: +SKIP
PosixPath('map.html')
"""
import html as _html
import json
import math
from pathlib import Path

from ..errors import InvalidArgumentError
from ..kinds import DOCTOR_AND_NURSING, DOCTOR_ANY
from ..outputs import atomic_file
from .plot import GAP_FACE, GAP_HATCH, KIND_STYLES, REACHED, _OKABE_ITO, kind_label, kind_styles

#: Nominal width in pixels of the whole map (its longer side): geometry is
#: simplified to one such pixel and rounded to it, cells to a quarter.
PIXELS = 8000
#: Cell shades by weight class: within reach (purples) and out of reach (oranges).
CELLS_IN = ("#e7e1ef", "#c9b8dc", "#9e86c2", "#7452a8", "#4a1486")
CELLS_OUT = ("#fdd0a2", "#fdae6b", "#f16913", "#d94801", "#8c2d04")
_CELL_STEP = 4      # cells are placed in quarter pixels
_LAYER_COLOURS = {DOCTOR_AND_NURSING: REACHED, DOCTOR_ANY: "#9ecae1"}


class InteractiveMap:
    """A self-contained interactive map: ``html`` (the page), ``data`` (what
    it shows, as the page holds it), :meth:`save`; shown in Jupyter in an
    iframe of its own (two maps in a notebook share nothing)."""

    def __init__(self, html, data):
        self.html, self.data = html, data

    def save(self, path):
        """Writes the page (UTF-8) through a temporary file beside path;
        returns the path."""
        return atomic_file(Path(path), lambda tmp: Path(tmp).write_text(self.html,
                                                                         encoding="utf-8"))

    def _repr_html_(self):
        return (f'<iframe srcdoc="{_html.escape(self.html, quote=True)}" '
                'style="width:100%;height:640px;border:1px solid #ccc" '
                'sandbox="allow-scripts" title="zaitaku map"></iframe>')

    def __repr__(self):
        d = self.data
        return (f"<InteractiveMap: {len(d['regions'])} regions, {len(d['facilities'])} "
                f"facilities, {len(d['cells']['xy']) // 4} cells, {len(self.html):,} bytes>")


# ---------------------------------------------------------------- geometry

class _Drawn:
    """The layers of the page in the drawing CRS: what
    :class:`~zaitaku.maps.mapstyle.MapData` holds (the report passes its
    own), without the print maps' extras."""

    def __init__(self, analysis, kind, radius, crs):
        from pyproj import CRS

        from .mapstyle import reach_text

        self.kind = kind
        self.crs = CRS.from_user_input(crs if crs is not None else analysis.crs)
        if not self.crs.is_projected:
            raise ValueError(f"maps are drawn in a projected CRS (metres), not {self.crs.name}")
        self.regions = analysis.regions.to_geodataframe().to_crs(self.crs)
        self.facilities = analysis.facilities.to_geodataframe().to_crs(self.crs)
        self.reached = analysis.service_areas(radius, by="region", kind=kind).to_crs(self.crs)
        self.gaps = analysis.gaps(radius, kind=kind).to_crs(self.crs)
        self.reach_text = reach_text(analysis, radius)


class _Frame:
    """Projected metres to the page's pixels (y down), from the regions'
    extent: ``unit_m`` metres per pixel."""

    def __init__(self, bounds, pixels):
        x0, y0, x1, y1 = bounds
        side = max(x1 - x0, y1 - y0, 1000.0)
        pad = side * 0.02
        self.x0, self.y1 = x0 - pad, y1 + pad
        self.unit_m = (side + 2 * pad) / pixels
        self.width = math.ceil((x1 - x0 + 2 * pad) / self.unit_m)
        self.height = math.ceil((y1 - y0 + 2 * pad) / self.unit_m)

    def px(self, x, y, step=1):
        """Arrays x, y (metres) as whole pixels (or 1/step pixels)."""
        import numpy as np

        return (np.rint((np.asarray(x) - self.x0) / self.unit_m * step).astype(np.int64),
                np.rint((self.y1 - np.asarray(y)) / self.unit_m * step).astype(np.int64))


def _ring_path(coords, frame):
    """One ring as "M x y l dx dy ... z" in whole pixels (relative moves are
    short), repeated points after rounding dropped; "" for a ring that
    rounds to less than a triangle."""
    import numpy as np

    x, y = frame.px(coords[:, 0], coords[:, 1])
    pts = np.column_stack([x, y])
    keep = np.ones(len(pts), bool)
    keep[1:] = (np.diff(pts, axis=0) != 0).any(axis=1)
    pts = pts[keep]
    if len(pts) and (pts[0] == pts[-1]).all():
        pts = pts[:-1]
    if len(pts) < 3:
        return ""
    d = np.diff(pts, axis=0).ravel().tolist()
    # SVG needs no separator before a minus sign
    body = "".join((" " if v >= 0 else "") + str(v) for v in d).lstrip()
    return f"M{pts[0, 0]} {pts[0, 1]}l{body}z"


def _path(geom, frame):
    """An SVG path (evenodd) of a polygon or multipolygon in pixels."""
    import numpy as np
    import shapely

    if geom is None or geom.is_empty:
        return ""
    parts = []
    for poly in getattr(geom, "geoms", [geom]):
        if not isinstance(poly, shapely.Polygon):
            continue
        for ring in [poly.exterior, *poly.interiors]:
            parts.append(_ring_path(np.asarray(ring.coords), frame))
    return "".join(parts)


def _simplified_paths(frame_gdf, frame):
    """Each row's geometry simplified to half a pixel and written as a path."""
    from .plot import _drawn

    if frame_gdf is None or not len(frame_gdf):
        return []
    shown = _drawn(frame_gdf, frame.unit_m / 2)
    return [_path(g, frame) for g in shown.geometry]


def _label_point(geom, tolerance):
    from shapely.ops import polylabel

    part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
    try:
        return polylabel(part, tolerance=tolerance)
    except Exception:  # noqa: BLE001 - odd rings
        return part.representative_point()


# ---------------------------------------------------------------- markers

def _marker_path(marker, r=4.2):
    """The outline of a matplotlib marker (as the print maps use) as an SVG
    path of radius r around (0, 0), y down."""
    def poly(n, start=-90.0, radius=r, inner=None):
        pts = []
        for i in range(n * (2 if inner else 1)):
            rad = inner if inner and i % 2 else radius
            a = math.radians(start + i * 360.0 / (n * (2 if inner else 1)))
            pts.append((rad * math.cos(a), rad * math.sin(a)))
        return "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in pts) + "Z"

    t = r * 0.38
    shapes = {
        "o": f"M{-r} 0a{r} {r} 0 1 0 {2 * r} 0a{r} {r} 0 1 0 {-2 * r} 0Z",
        "s": poly(4, 45, r * 1.2), "D": poly(4, -90, r * 1.15), "^": poly(3, -90, r * 1.2),
        "v": poly(3, 90, r * 1.2), "<": poly(3, 180, r * 1.2), ">": poly(3, 0, r * 1.2),
        "p": poly(5, -90, r * 1.1), "H": poly(6, 0, r * 1.1), "h": poly(6, -90, r * 1.1),
        "8": poly(8, -67.5, r * 1.05), "*": poly(5, -90, r * 1.3, r * 0.55),
        "P": (f"M{-t} {-r}H{t}V{-t}H{r}V{t}H{t}V{r}H{-t}V{t}H{-r}V{-t}H{-t}Z"),
    }
    shapes["X"] = shapes["P"]  # drawn rotated by the page
    return shapes.get(marker, shapes["o"])


# ---------------------------------------------------------------- content

def _kinds_shown(coverage, kind):
    """The kinds of the selector: kind first, then the derived ones, then
    the facilities' kinds in the print maps' order."""
    present = list(dict.fromkeys(coverage["kind"]))
    first = [k for k in (kind, DOCTOR_AND_NURSING, DOCTOR_ANY) if k in present]
    known = [k for k in KIND_STYLES if k in present and k not in first]
    return list(dict.fromkeys(first + known + sorted(set(present) - set(first) - set(known))))


def _out_of_reach(analysis, kinds, radius, nursing_kinds):
    """demand_id -> bit mask of the kinds (positions in kinds) whose reach
    misses the unit, from libcoverage's reach table (no facility of the
    kind within the threshold, ``n_within == 0``), and the units assigned
    to a region. doctor_and_nursing misses a unit that a doctor or every
    visiting-nurse kind misses (as :func:`zaitaku.report.tables.uncovered_units`)."""
    import numpy as np

    reach = analysis.reach(radius=radius)
    reach = reach[reach.region_id.notna() & (reach.region_id != "")]
    within = reach.pivot_table(index="demand_id", columns="kind", values="n_within",
                               aggfunc="sum", fill_value=0)
    masks = np.zeros(len(within), np.int64)

    def missed(cols):
        cols = [c for c in cols if c in within.columns]
        return (within[cols].sum(axis=1) == 0).to_numpy() if cols else np.ones(len(within), bool)

    for bit, k in enumerate(kinds):
        miss = (missed([DOCTOR_ANY]) | missed(nursing_kinds)) if k == DOCTOR_AND_NURSING \
            else missed([k])
        masks |= miss.astype(np.int64) << bit
    return dict(zip(within.index, masks.tolist()))


def _weight_breaks(values):
    """The weight classes' upper bounds: the round numbers of the print
    maps' people classes (:func:`zaitaku.maps.people.nice_breaks`) above 1,
    so that both say 「5人未満」 alike."""
    from .people import nice_breaks

    return [int(b) for b in nice_breaks(values)[1:]]


def _cells(analysis, weight, masks, crs, frame):
    """Each populated unit as [x, y, shade + 8 * size, out-of-reach mask]
    (flat, quarter pixels), the sizes [w, h] of each mesh level's cell, and
    the weight classes' breaks."""
    import numpy as np

    from .mapstyle import _from_lonlat

    units = analysis.demand.to_geodataframe()
    name = analysis.demand.weight_name(weight)
    w = np.asarray(units[name], float)
    keep = (w > 0) & units.demand_id.isin(masks.keys()).to_numpy()
    units, w = units[keep], w[keep]
    breaks = _weight_breaks(w)
    shade = np.searchsorted(np.asarray(breaks), w, side="right") if breaks else \
        np.zeros(len(w), int)
    bounds = units.geometry.bounds.to_numpy()
    fwd = _from_lonlat(crs)
    cx, cy = fwd.transform((bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2)
    x, y = frame.px(cx, cy, _CELL_STEP)
    levels = units["mesh_level"].to_numpy() if "mesh_level" in units else np.zeros(len(w))
    sizes, size_of = [], {}
    for level in sorted(set(levels.tolist())):
        i = int(np.flatnonzero(levels == level)[len(np.flatnonzero(levels == level)) // 2])
        lon0, lat0, lon1, lat1 = bounds[i]
        if lon1 - lon0 <= 0:  # points: a square of a pixel
            sizes.append([_CELL_STEP, _CELL_STEP])
        else:
            xs, ys = fwd.transform([lon0, lon1, lon0], [lat0, lat0, lat1])
            sizes.append([max(1, round(math.hypot(xs[1] - xs[0], ys[1] - ys[0])
                                       / frame.unit_m * _CELL_STEP)),
                          max(1, round(math.hypot(xs[2] - xs[0], ys[2] - ys[0])
                                       / frame.unit_m * _CELL_STEP))])
        size_of[level] = len(sizes) - 1
    code = shade + 8 * np.array([size_of[v] for v in levels.tolist()], int)
    mask = units.demand_id.map(masks).to_numpy(np.int64)
    flat = np.column_stack([x, y, code, mask]).ravel().tolist()
    return {"xy": flat, "sizes": sizes, "breaks": breaks, "weight": name}


def _regions(data, coverage, kinds, frame):
    import numpy as np

    rows = coverage.set_index(["region_id", "kind"])
    paths = _simplified_paths(data.regions, frame)
    out = []
    for (_, r), d in zip(data.regions.iterrows(), paths):
        shares = []
        for k in kinds:
            try:
                row = rows.loc[(r.region_id, k)]
            except KeyError:
                shares.append(None)
                continue
            shares.append([_num(row.share_covered, 6), _num(row.demand_covered, 3),
                           _num(row.demand_total, 3)])
        at = _label_point(r.geometry, frame.unit_m * 4) if r.geometry is not None else None
        lx, ly = frame.px([at.x], [at.y]) if at is not None else (np.zeros(1), np.zeros(1))
        out.append({"id": str(r.region_id), "name": str(r.region_name or r.region_id), "d": d,
                    "label": [int(lx[0]), int(ly[0])], "shares": shares})
    return out


def _num(v, digits):
    v = float(v)
    return None if v != v else round(v, digits)


def _layers(analysis, data, kinds_layers, radius, frame, reach_text):
    """The toggled layers: land within reach per kind, then the gaps."""
    out = []
    colours = dict(_LAYER_COLOURS)
    colours.update({k: c for k, c, _ in kind_styles(analysis.facilities.kinds)})
    for k in kinds_layers:
        try:
            reached = data.reached if k == data.kind else \
                analysis.service_areas(radius, by="region", kind=k).to_crs(data.crs)
        except InvalidArgumentError:  # a kind none of the facilities has reaches nothing
            continue
        out.append({"key": f"reach-{k}", "label": f"{reach_text} 圏内の土地（{kind_label(k)}）",
                    "colour": colours.get(k, REACHED), "kind": "reach",
                    "d": "".join(_simplified_paths(reached, frame)), "on": False})
    out.append({"key": "gaps", "label": f"空白地域: {reach_text} 圏外の土地（{kind_label(data.kind)}）",
                "colour": GAP_FACE, "stroke": GAP_HATCH, "kind": "gaps",
                "d": "".join(_simplified_paths(data.gaps, frame)), "on": False})
    return out


def _facilities(data, frame):
    fac = data.facilities
    styles = list(kind_styles(fac["kind"]))
    index = {k: i for i, (k, _, _) in enumerate(styles)}
    x, y = frame.px(fac.geometry.x, fac.geometry.y)
    names = fac["name"] if "name" in fac else fac["facility_id"]
    points = [[int(a), int(b), index[k], str(i), "" if n is None or n != n else str(n)]
              for a, b, k, i, n in zip(x, y, fac["kind"], fac["facility_id"], names)]
    kinds = [{"kind": k, "label": kind_label(k), "colour": c, "marker": m,
              "rotate": 45 if m == "X" else 0, "d": _marker_path(m),
              "count": int((fac["kind"] == k).sum())} for k, c, m in styles]
    return points, kinds


def _ground_per_unit(data, frame):
    """Metres on the ground per pixel at the map's centre (the projection's
    scale factor there), measured geodesically as the print maps' bars."""
    from .mapstyle import scale_bar_span

    x0, y0, x1, y1 = data.regions.total_bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    length = 10000.0
    return frame.unit_m * length / (scale_bar_span(data.crs, cx, cy, length) - cx)


def map_data(analysis, kind=DOCTOR_AND_NURSING, radius=None, weight=None, layers=None,
             crs=None, pixels=PIXELS, nursing_kinds=None, weight_label=None, title=None,
             credit=None, data=None, coverage=None):
    """What :func:`explore` draws, as the page holds it (a dict ready for
    JSON): see :func:`explore` for the parameters."""
    from matplotlib.colors import to_hex

    from .mapstyle import SHARE_BREAKS, SHARE_LABELS, NO_DATA, _credit, share_colours

    if data is None:
        data = _Drawn(analysis, kind, radius, crs)
    kind = data.kind
    if coverage is None:
        coverage = analysis.coverage(radius=radius, weight=weight, area=False)
    if kind not in set(coverage["kind"]):
        raise InvalidArgumentError(f"no coverage of kind {kind!r} (kinds: "
                                   f"{', '.join(dict.fromkeys(coverage['kind']))})")
    kinds = _kinds_shown(coverage, kind)
    if nursing_kinds is None:
        nursing_kinds = (getattr(analysis, "_options", {}).get("nursing_kinds") or ("nursing",))
    frame = _Frame(data.regions.total_bounds, int(pixels))
    if layers is None:
        layers = [k for k in (kind, DOCTOR_ANY, "nursing") if k in kinds]
    masks = _out_of_reach(analysis, kinds, radius, list(nursing_kinds))
    cells = _cells(analysis, weight, masks, data.crs, frame)
    points, fac_kinds = _facilities(data, frame)
    km = data.reach_text
    return {
        "title": title or f"{km} 圏内の人口割合（操作できる地図）",
        "credit": _credit(credit), "reach": km,
        "weight": weight_label or cells["weight"],
        "width": frame.width, "height": frame.height, "cell_step": _CELL_STEP,
        "unit_m": frame.unit_m, "ground_m": _ground_per_unit(data, frame),
        "kinds": [{"kind": k, "label": kind_label(k)} for k in kinds], "kind": 0,
        "share_breaks": list(SHARE_BREAKS), "share_labels": list(SHARE_LABELS),
        "share_colours": [to_hex(c) for c in share_colours()], "no_data": NO_DATA,
        "cell_colours": {"in": list(CELLS_IN), "out": list(CELLS_OUT)},
        "regions": _regions(data, coverage, kinds, frame),
        "layers": _layers(analysis, data, layers, radius, frame, km),
        "cells": cells, "facilities": points, "facility_kinds": fac_kinds,
    }


def explore(analysis, kind=DOCTOR_AND_NURSING, radius=None, *, weight=None, layers=None,
            crs=None, pixels=PIXELS, title=None, credit=None, nursing_kinds=None,
            weight_label=None, data=None, coverage=None):
    """An interactive map of the analysis that needs no network: one HTML
    page (see the module's help for what it shows).

    Parameters
    ----------
    analysis : Analysis
    kind : str
        The kind whose shares colour the regions first (the page switches),
        whose gaps are a layer.
    radius : str or float, optional
        The threshold (default the analysis's).
    weight : str or int, optional
        The demand weight counted and shaded (default the first).
    layers : list of str, optional
        Kinds whose land within reach is a layer (default kind, doctor_any
        and nursing, those present).
    crs : optional
        Projected CRS of the drawing (default the analysis's).
    pixels : int
        Nominal width of the whole map: the simplification step (all
        Hokkaido at 8000: a pixel is about 90 m).
    title, credit : str, optional
        The page's title; the data credit (after "© zaitaku / libcoverage").
    nursing_kinds : list of str, optional
        Kinds counted as visiting nurses (default the analysis's).
    weight_label : str, optional
        What the weight is called on the page (default its column name).
    data : zaitaku.maps.mapstyle.MapData, optional
        The map data already made (the report's), instead of computing it.
    coverage : pandas.DataFrame, optional
        ``analysis.coverage(...)`` already computed with these radius and weight.

    Returns
    -------
    InteractiveMap
        Displayed in Jupyter; ``.save(path)`` writes the page.
    """
    d = map_data(analysis, kind=kind, radius=radius, weight=weight, layers=layers, crs=crs,
                 pixels=pixels, nursing_kinds=nursing_kinds, weight_label=weight_label,
                 title=title, credit=credit, data=data, coverage=coverage)
    return InteractiveMap(page(d), d)


def _json_for_script(obj):
    """obj as JSON that is safe inside <script>: no "<", ">" or "&" (so no
    "</script>" nor "<!--"), nor the line separators old parsers choke on."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for a, b in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                 ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(a, b)
    return text


def page(data):
    """The HTML page of :func:`map_data`'s dict."""
    return (f'<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_html.escape(data['title'])}</title><style>{_CSS}</style></head>"
            f"<body>{_BODY}"
            f'<script type="application/json" id="z-data">{_json_for_script(data)}</script>'
            f"<script>{_JS}</script></body></html>\n")


_CSS = """
html,body{margin:0;height:100%;font-family:"Noto Sans CJK JP","Noto Sans JP","IPAexGothic",
"Hiragino Sans","Yu Gothic","Meiryo",sans-serif;color:#222;font-size:13px}
#z-map{position:relative;width:100%;height:100%;min-height:480px;overflow:hidden;background:#dfe9f2}
#z-svg{position:absolute;inset:0;width:100%;height:100%;cursor:grab;touch-action:none}
#z-svg.drag{cursor:grabbing}
.z-region{stroke:none;pointer-events:all;fill-opacity:.7}
.z-outline{fill:none;stroke:#333;stroke-width:1.2px;vector-effect:non-scaling-stroke;pointer-events:none}
.z-region.hi{filter:brightness(1.08)}
#z-layers,#z-cells{pointer-events:none}
.z-label{font-size:12px;font-weight:bold;fill:#111;stroke:#fff;stroke-width:3px;paint-order:stroke;
pointer-events:none;text-anchor:middle}
.z-fac{cursor:pointer}
.z-box{position:absolute;background:#fff;border:1px solid #999;border-radius:4px;
padding:6px 8px;box-shadow:0 1px 4px rgba(0,0,0,.2)}
#z-title{left:8px;top:8px;font-weight:bold;font-size:15px;max-width:60%}
#z-panel{right:8px;top:8px;max-height:calc(100% - 70px);overflow:auto;width:300px;font-size:12px}
#z-panel h3{font-size:12px;margin:6px 0 2px}
#z-panel label{display:block;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.z-sw{display:inline-block;width:14px;height:10px;border:1px solid #666;margin-right:4px;vertical-align:middle}
#z-zoom{left:8px;top:56px;padding:2px;display:flex;flex-direction:column;gap:2px}
#z-zoom button{width:28px;height:28px;font-size:16px;cursor:pointer}
#z-foot{position:absolute;left:0;right:0;bottom:0;pointer-events:none}
#z-scale{position:static;display:inline-block;margin:0 0 4px 8px;padding:2px 6px}
#z-credit{position:static;font-size:10px;color:#444;border-radius:0;padding:2px 6px;border:0;
border-top:1px solid #bbb;pointer-events:auto}
#z-tip{pointer-events:none;max-width:280px;font-size:12px;z-index:3}
#z-pop{max-width:300px;font-size:12px;z-index:4}
#z-pop button{float:right;margin-left:6px;cursor:pointer}
.z-muted{color:#555}
select{max-width:100%}
"""

_BODY = """<div id="z-map"><svg id="z-svg" xmlns="http://www.w3.org/2000/svg" role="img">
<defs><pattern id="z-hatch" patternUnits="userSpaceOnUse" width="7" height="7">
<rect width="7" height="7" fill="#fde6d6" fill-opacity="0.55"/><path d="M0 7L7 0" stroke="#D55E00" stroke-width="1.2"/></pattern></defs>
<g id="z-world"><g id="z-regions"></g><g id="z-layers"></g><g id="z-cells"></g><g id="z-outlines"></g></g>
<g id="z-overlay"><g id="z-facilities"></g><g id="z-labels"></g></g></svg>
<div id="z-title" class="z-box"></div>
<div id="z-zoom" class="z-box"><button type="button" id="z-in" title="拡大">+</button>
<button type="button" id="z-out" title="縮小">−</button><button type="button" id="z-home" title="全体">⌂</button></div>
<div id="z-panel" class="z-box"></div>
<div id="z-foot"><div id="z-scale" class="z-box"><svg id="z-bar" width="160" height="24"></svg></div>
<div id="z-credit" class="z-box"></div></div>
<div id="z-tip" class="z-box" hidden></div><div id="z-pop" class="z-box" hidden></div></div>"""

# The page's script: builds the SVG from the data, pans and zooms (the
# world group's transform; markers and labels stay their size), toggles
# layers, and writes every name with textContent.
_JS = r"""
(function(){"use strict";
var D=JSON.parse(document.getElementById("z-data").textContent);
var NS="http://www.w3.org/2000/svg";
function $(id){return document.getElementById(id);}
function el(name,attrs,parent){var e=document.createElementNS(NS,name);
 for(var k in attrs){e.setAttribute(k,attrs[k]);} if(parent){parent.appendChild(e);} return e;}
function h(tag,text,parent,cls){var e=document.createElement(tag); if(text!=null){e.textContent=text;}
 if(cls){e.className=cls;} if(parent){parent.appendChild(e);} return e;}
function pct(s){if(s==null){return "-";} var v=Math.round(s*1000)/10;
 return (v>=100&&s<1)?">99.9%":v.toFixed(1)+"%";}
function num(v){return v==null?"-":Math.round(v).toLocaleString("ja-JP");}
var svg=$("z-svg"),world=$("z-world"),gReg=$("z-regions"),gLay=$("z-layers"),gCells=$("z-cells"),
 gOut=$("z-outlines"),gLab=$("z-labels"),gFac=$("z-facilities"),tip=$("z-tip"),pop=$("z-pop");
var view={k:1,x:0,y:0},kmin=0.05,kmax=64,kind=D.kind;
$("z-title").textContent=D.title; $("z-credit").textContent=D.credit;
svg.setAttribute("aria-label",D.title);
gCells.setAttribute("transform","scale("+(1/D.cell_step)+")");
// regions: fills (hover and click) and outlines
var regions=D.regions.map(function(r,i){
 var p=el("path",{d:r.d,"class":"z-region","fill-rule":"evenodd","data-id":r.id},gReg);
 el("path",{d:r.d,"class":"z-outline","fill-rule":"evenodd"},gOut);
 var t=el("text",{"class":"z-label"},gLab); var a=el("tspan",{x:0,dy:"-0.2em"},t); a.textContent=r.name;
 var b=el("tspan",{x:0,dy:"1.2em"},t);
 p.addEventListener("mousemove",function(ev){showTip(regionText(i),ev);p.classList.add("hi");});
 p.addEventListener("mouseleave",function(){tip.hidden=true;p.classList.remove("hi");});
 return {path:p,label:t,share:b,x:r.label[0],y:r.label[1]};});
// layers: land within reach per kind, gaps
var layers=D.layers.map(function(l){
 var p=el("path",{d:l.d,"fill-rule":"evenodd","data-key":l.key},gLay);
 if(l.kind==="gaps"){p.setAttribute("fill","url(#z-hatch)");p.setAttribute("stroke",l.stroke);
  p.setAttribute("stroke-width","0.8");p.setAttribute("vector-effect","non-scaling-stroke");}
 else{p.setAttribute("fill",l.colour);p.setAttribute("fill-opacity","0.55");}
 p.style.display=l.on?"":"none"; return p;});
// cells: one path per shade, within reach and out of reach of the selected kind
var cellPaths={"in":[],"out":[]};
["in","out"].forEach(function(side){var g=el("g",{"data-key":"cells-"+side},gCells);
 D.cell_colours[side].forEach(function(c){cellPaths[side].push(el("path",{fill:c},g));});
 cellPaths[side].group=g;});
function drawCells(){var xy=D.cells.xy,S=D.cells.sizes,bit=1<<kind,parts={"in":[],"out":[]},i;
 for(var s in parts){for(i=0;i<5;i++){parts[s].push([]);}}
 for(i=0;i<xy.length;i+=4){var code=xy[i+2],sz=S[code>>3],w=sz[0],hh=sz[1];
  var side=(xy[i+3]&bit)?"out":"in";
  parts[side][code&7].push("M"+(xy[i]-(w>>1))+" "+(xy[i+1]-(hh>>1))+"h"+w+"v"+hh+"h"+(-w)+"z");}
 for(var s2 in parts){for(i=0;i<5;i++){cellPaths[s2][i].setAttribute("d",parts[s2][i].join(""));}}}
// facilities: a marker per facility in the kind's colour and shape
var facs=D.facilities.map(function(f){var k=D.facility_kinds[f[2]];
 var g=el("g",{"class":"z-fac","data-kind":k.kind},gFac);
 el("path",{d:k.d,fill:k.colour,stroke:k.colour==="#000000"?"#fff":"#1a1a1a","stroke-width":"0.8",
  transform:k.rotate?"rotate("+k.rotate+")":""},g);
 g.addEventListener("click",function(ev){ev.stopPropagation();showPop(f,k,ev);});
 g.addEventListener("pointerdown",function(ev){ev.stopPropagation();});
 return {g:g,x:f[0],y:f[1]};});
function regionText(i){var r=D.regions[i],s=r.shares[kind],k=D.kinds[kind];
 return [[r.name+"（"+r.id+"）","b"],[k.label,"z-muted"],
  ["圏内の割合: "+pct(s&&s[0])],["圏内の"+D.weight+": "+num(s&&s[1])+" / "+num(s&&s[2])]];}
function fill(box,lines){box.textContent="";lines.forEach(function(l){
 var d=h("div",l[0],box); if(l[1]==="b"){d.style.fontWeight="bold";} else if(l[1]){d.className=l[1];}});}
function place(box,ev){var r=$("z-map").getBoundingClientRect(),x=ev.clientX-r.left+14,y=ev.clientY-r.top+14;
 box.hidden=false; if(x+box.offsetWidth>r.width){x=Math.max(0,x-box.offsetWidth-28);}
 if(y+box.offsetHeight>r.height){y=Math.max(0,y-box.offsetHeight-28);}
 box.style.left=x+"px";box.style.top=y+"px";}
function showTip(lines,ev){if(dragging){return;} fill(tip,lines);place(tip,ev);}
function showPop(f,k,ev){tip.hidden=true;fill(pop,[[f[4]||f[3],"b"],[k.label],["ID: "+f[3],"z-muted"]]);
 var close=h("button","×",null); close.type="button"; close.title="閉じる";
 close.addEventListener("click",function(){pop.hidden=true;}); pop.insertBefore(close,pop.firstChild);
 pop.setAttribute("data-id",f[3]); place(pop,ev);}
// colours by the selected kind
var shareCounts=[];
function shareClass(s){if(s==null||s!==s){return -1;} var c=0;
 D.share_breaks.forEach(function(b,i){if(s>=b){c=i;}}); return c;}
function paint(){var counts=D.share_breaks.map(function(){return 0;});
 regions.forEach(function(r,i){var s=D.regions[i].shares[kind],c=shareClass(s&&s[0]);
  r.path.setAttribute("fill",c<0?D.no_data:D.share_colours[c]); r.path.setAttribute("data-class",c);
  r.share.textContent=pct(s&&s[0]); if(c>=0){counts[c]++;}});
 shareCounts.forEach(function(e,i){e.textContent=D.share_labels[i]+": "+counts[i]+" 圏域";});
 drawCells();}
// panel: kind, legend and toggles
var panel=$("z-panel");
h("h3","圏内の割合を示す種類",panel);
var sel=h("select",null,panel); sel.id="z-kind";
D.kinds.forEach(function(k,i){var o=h("option",k.label,sel);o.value=i;});
sel.value=kind; sel.addEventListener("change",function(){kind=+sel.value;paint();});
function toggle(parent,key,text,on,swatch,apply){var lab=h("label",null,parent),box=h("input",null,lab);
 box.type="checkbox";box.checked=on;box.setAttribute("data-key",key);
 if(swatch){var s=h("span",null,lab,"z-sw");s.style.background=swatch;}
 lab.appendChild(document.createTextNode(text)); lab.title=text;
 box.addEventListener("change",function(){apply(box.checked);}); return box;}
function showEl(e,on){e.style.display=on?"":"none";}
h("h3",D.reach+" 圏内の人口割合（圏域）",panel);
toggle(panel,"regions","圏域を割合で塗る",true,null,function(on){gReg.style.opacity=on?1:0;});
D.share_colours.forEach(function(c){var l=h("div",null,panel),s=h("span",null,l,"z-sw");
 s.style.background=c; shareCounts.push(h("span","",l));});
toggle(panel,"labels","圏域名",true,null,function(on){showEl(gLab,on);});
h("h3","人口メッシュ（"+D.weight+"）",panel);
toggle(panel,"cells-in","圏内のメッシュ",true,D.cell_colours["in"][3],function(on){showEl(cellPaths["in"].group,on);});
toggle(panel,"cells-out","圏外のメッシュ",true,D.cell_colours["out"][3],function(on){showEl(cellPaths["out"].group,on);});
var br=D.cells.breaks,lab=br.length?[br[0]+" 人未満"]:["すべて"];
for(var i=1;i<br.length;i++){lab.push(br[i-1]+"〜"+br[i]+" 人");} if(br.length){lab.push(br[br.length-1]+" 人以上");}
lab.forEach(function(t,i){var l=h("div",null,panel);
 ["in","out"].forEach(function(s){var e=h("span",null,l,"z-sw");e.style.background=D.cell_colours[s][i];});
 l.appendChild(document.createTextNode(t));});
h("h3","到達範囲と空白地域",panel);
D.layers.forEach(function(l,i){toggle(panel,l.key,l.label,l.on,l.colour,function(on){showEl(layers[i],on);});});
h("h3","施設の種類: 数",panel);
D.facility_kinds.forEach(function(k){var lab=h("label",null,panel),box=h("input",null,lab);
 box.type="checkbox";box.checked=true;box.setAttribute("data-key","facility-"+k.kind);
 var s=el("svg",{width:14,height:14,viewBox:"-7 -7 14 14"},lab);s.style.verticalAlign="middle";
 el("path",{d:k.d,fill:k.colour,stroke:"#1a1a1a","stroke-width":"0.8",transform:(k.rotate?"rotate(45) ":"")+"scale(0.9)"},s);
 lab.appendChild(document.createTextNode(" "+k.label+": "+k.count));
 box.addEventListener("change",function(){
  facs.forEach(function(f){var g=f.g;if(g.getAttribute("data-kind")===k.kind){showEl(g,box.checked);}});});});
// view
function nice(m){var p=Math.pow(10,Math.floor(Math.log10(m)));
 return [5,2,1].map(function(s){return s*p;}).filter(function(v){return v<=m;})[0]||p;}
function scaleBar(){var mpp=D.ground_m/view.k,len=nice(mpp*120),w=len/mpp,b=$("z-bar");
 b.textContent=""; el("rect",{x:4,y:14,width:w/2,height:5,fill:"#222",stroke:"#222"},b);
 el("rect",{x:4+w/2,y:14,width:w/2,height:5,fill:"#fff",stroke:"#222"},b);
 var t=el("text",{x:4,y:11,"font-size":11},b); t.textContent=len>=1000?(len/1000)+" km":len+" m";
 b.setAttribute("width",Math.ceil(w+12)); b.setAttribute("data-metres",len);}
var hatch=$("z-hatch");
function apply(){world.setAttribute("transform","translate("+view.x.toFixed(2)+" "+view.y.toFixed(2)+") scale("+view.k+")");
 hatch.setAttribute("patternTransform","scale("+(1/view.k)+")");
 var k=view.k,x=view.x,y=view.y;
 facs.forEach(function(f){f.g.setAttribute("transform","translate("+(f.x*k+x).toFixed(1)+" "+(f.y*k+y).toFixed(1)+")");});
 regions.forEach(function(r){r.label.setAttribute("transform","translate("+(r.x*k+x).toFixed(1)+" "+(r.y*k+y).toFixed(1)+")");});
 scaleBar();}
function fit(){var r=svg.getBoundingClientRect(),W=r.width||800,H=r.height||600,
 side=panel.offsetWidth+16,free=W>2*side?W-side:W;
 var k=Math.min(free/D.width,H/D.height)*0.92;
 view.k=k;view.x=(free-D.width*k)/2;view.y=(H-D.height*k)/2;kmin=k/4;kmax=k*64;apply();}
function zoomAt(f,cx,cy){var k=Math.max(kmin,Math.min(kmax,view.k*f));f=k/view.k;
 view.x=cx-(cx-view.x)*f;view.y=cy-(cy-view.y)*f;view.k=k;apply();}
function centre(){var r=svg.getBoundingClientRect();return [r.width/2,r.height/2];}
svg.addEventListener("wheel",function(ev){ev.preventDefault();var r=svg.getBoundingClientRect();
 zoomAt(Math.pow(1.0018,-ev.deltaY),ev.clientX-r.left,ev.clientY-r.top);},{passive:false});
var dragging=null;
svg.addEventListener("pointerdown",function(ev){dragging={x:ev.clientX,y:ev.clientY,vx:view.x,vy:view.y};
 svg.setPointerCapture(ev.pointerId);svg.classList.add("drag");tip.hidden=true;});
svg.addEventListener("pointermove",function(ev){if(!dragging){return;}
 view.x=dragging.vx+ev.clientX-dragging.x;view.y=dragging.vy+ev.clientY-dragging.y;apply();});
function end(){dragging=null;svg.classList.remove("drag");}
svg.addEventListener("pointerup",end);svg.addEventListener("pointercancel",end);
$("z-in").addEventListener("click",function(){var c=centre();zoomAt(1.6,c[0],c[1]);});
$("z-out").addEventListener("click",function(){var c=centre();zoomAt(1/1.6,c[0],c[1]);});
$("z-home").addEventListener("click",fit);
window.addEventListener("resize",fit);
paint();fit();
document.documentElement.setAttribute("data-ready","1");
})();
"""


# ---------------------------------------------------------------- folium

def folium_map(analysis, kind=DOCTOR_AND_NURSING, radius=None, tiles="OpenStreetMap"):
    """A folium.Map of the analysis: regions (tooltip: name and share of
    demand within reach of kind), reached land, and a circle marker per
    facility coloured by kind (popup: name, kind).

    It needs the network when shown: folium loads leaflet's script and
    style from a CDN (even with ``tiles=None``, which only drops the base
    map). :func:`explore` makes a map that needs none."""
    try:
        import folium
    except ImportError:
        raise ImportError("the interactive map needs folium: pip install folium") from None
    from .mapstyle import SHARE_BREAKS, share_class, share_colours
    from matplotlib.colors import to_hex

    cov = analysis.coverage(radius=radius, area=False)
    share = cov[cov.kind == kind].set_index("region_id")["share_covered"]
    regions = analysis.regions.to_geodataframe()
    regions["share_pct"] = [round(float(share.get(r, float("nan"))) * 100, 1)
                            for r in regions.region_id]
    colours = [to_hex(c) for c in share_colours()]
    minx, miny, maxx, maxy = regions.total_bounds
    m = folium.Map(tiles=tiles)
    m.fit_bounds([[miny, minx], [maxy, maxx]])

    def region_style(feature):
        c = share_class(feature["properties"]["share_pct"] / 100)
        return {"fillColor": colours[c] if c is not None else "#ffffff", "color": "#333333",
                "weight": 1.5, "fillOpacity": 0.45}

    folium.GeoJson(regions.to_json(), name="圏域", style_function=region_style,
                   tooltip=folium.GeoJsonTooltip(["region_id", "region_name", "share_pct"],
                                                 aliases=["圏域コード", "圏域名", "圏内の割合 %"])
                   ).add_to(m)
    try:
        reached = analysis.service_areas(radius, by="region", kind=kind)
    except InvalidArgumentError:  # a kind none of the facilities has reaches nothing
        reached = regions.iloc[:0]
    if len(reached):
        folium.GeoJson(reached.to_json(), name="圏内",
                       style_function=lambda f: {"fillColor": "#56B4E9", "color": "none",
                                                 "fillOpacity": 0.25}).add_to(m)
    fac = analysis.facilities.to_geodataframe()
    for i, k in enumerate(sorted(set(fac.kind))):
        colour = KIND_STYLES.get(k, (_OKABE_ITO[i % len(_OKABE_ITO)],))[0]
        layer = folium.FeatureGroup(name=kind_label(k))
        for _, row in fac[fac.kind == k].iterrows():
            name = row.get("name") or row["facility_id"]
            folium.CircleMarker([row.geometry.y, row.geometry.x], radius=5, color="#1a1a1a",
                                weight=1, fill=True, fill_color=colour, fill_opacity=0.9,
                                popup=folium.Popup(f"{_html.escape(str(name))}<br>"
                                                   f"{_html.escape(kind_label(k))}",
                                                   max_width=250)).add_to(layer)
        layer.add_to(m)
    folium.LayerControl().add_to(m)
    m.get_root().html.add_child(folium.Element(
        "<div style='position:fixed;bottom:8px;left:8px;z-index:9999;background:white;"
        "padding:4px;font-size:11px'>圏内の割合: " + " / ".join(
            f"<span style='background:{c};padding:0 6px'>&nbsp;</span> ≥{b * 100:g}%"
            for c, b in zip(colours, SHARE_BREAKS)) + "</div>"))
    return m
