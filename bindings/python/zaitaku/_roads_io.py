"""Road layers in the formats users have: GeoJSON, newline-delimited GeoJSON
(GeoJSONSeq, gzip too) and GeoPackage, read into flat arrays that cross to
libcoverage in one call (``cov_network_from_lines``).

GeoJSON is parsed here, one feature per line with orjson when installed
(``pip install 'zaitaku[roads]'``), else the standard json module, because
geopandas builds a Python object per feature and a GeoDataFrame the graph
never needs. A GeoPackage goes through pyogrio (GDAL) as WKB.

Attributes, by default the first field present of:

- class: ``fclass`` (Geofabrik), ``class`` (OpenMapTiles), ``highway`` (OSM).
  OpenMapTiles marks ramps with ``ramp`` = 1 on the class of the road they
  lead to; such a line becomes ``<class>_link`` (the Geofabrik name), so that
  ramps get ramp speeds.
- one-way: ``oneway`` (1 / -1 / 0, or F / T / B, yes / no).
- speed: ``maxspeed`` (km/h).
- level (for topology repair, see ``enum cov_road_level``): ``brunnel``
  (OpenMapTiles: bridge, tunnel, ford), else ``bridge`` and ``tunnel``
  (Geofabrik T/F, OSM yes/no). Fords are ground.
"""
import gzip
import os

import numpy as np

from ._libcoverage import ffi, lib

_CLASS_FIELDS = ("fclass", "class", "highway")
_LINK_CLASSES = {"motorway", "trunk", "primary", "secondary", "tertiary"}
_ONEWAY = {"F": 1, "T": -1, "B": 0, "YES": 1, "NO": 0, "1": 1, "-1": -1, "0": 0, "TRUE": 1,
           "FALSE": 0, "": 0, "REVERSE": -1}
_TRUE = {"T", "YES", "1", "TRUE", "Y"}
_SEQ_SUFFIXES = (".ndjson", ".geojsonl", ".geojsons", ".jsonl", ".geojsonseq")
_DOC_SUFFIXES = (".geojson", ".json")


def handles(path):
    """True for the suffixes this module reads (``.gz`` after the GeoJSON
    ones too)."""
    name = os.fsdecode(path).lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return name.endswith(_SEQ_SUFFIXES + _DOC_SUFFIXES + (".gpkg",))


def _loads():
    try:
        import orjson

        return orjson.loads, orjson.JSONDecodeError
    except ImportError:  # pragma: no cover - depends on the environment
        import json

        return json.loads, ValueError


def _error(kind, message):
    from . import errors

    cls = {"file": errors.InputFileError, "format": errors.FileFormatError,
           "field": errors.FieldError, "value": errors.InvalidValueError,
           "geometry": errors.GeometryError}[kind]
    code = {"file": lib.COV_ERR_IO, "format": lib.COV_ERR_FORMAT, "field": lib.COV_ERR_FIELD,
            "value": lib.COV_ERR_VALUE, "geometry": lib.COV_ERR_GEOMETRY}[kind]
    status = {"file": "COV_ERR_IO", "format": "COV_ERR_FORMAT", "field": "COV_ERR_FIELD",
              "value": "COV_ERR_VALUE", "geometry": "COV_ERR_GEOMETRY"}[kind]
    return cls(message, code=code, status=status)


def _open_bytes(path):
    name = os.fspath(path)
    try:
        if name.lower().endswith(".gz"):
            with gzip.open(name, "rb") as f:
                return f.read()
        with open(name, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise _error("file", f"{name}: no such file") from None
    except (OSError, EOFError) as exc:
        raise _error("file", f"{name}: cannot read ({exc})") from None


class RoadLines:
    """Lines as flat arrays (lon/lat unless ``crs`` says otherwise): line i
    has points ``offsets[i]:offsets[i + 1]`` and came from input feature
    ``feature[i]`` (a MultiLineString gives several lines)."""

    def __init__(self, label, offsets, x, y, feature, class_codes, class_names, oneway,
                 maxspeed, level, crs=None):
        self.label, self.offsets, self.x, self.y = label, offsets, x, y
        self.feature, self.class_codes, self.class_names = feature, class_codes, class_names
        self.oneway, self.maxspeed, self.level, self.crs = oneway, maxspeed, level, crs

    def __len__(self):
        return len(self.feature)


class _Fields:
    """Which property holds what. GeoJSON writers leave null properties out
    (OpenMapTiles' ``brunnel`` is on bridges only), so in automatic mode a
    feature's value comes from the first candidate field it has; a field
    named explicitly must appear in at least one feature."""

    def __init__(self, class_field, oneway_field, speed_field, level_field):
        def names(given, candidates):
            return () if given == "" else (given,) if given is not None else candidates

        self.given = {"road class": class_field, "one-way rule": oneway_field,
                      "speed": speed_field, "level": level_field}
        self.klass = names(class_field, _CLASS_FIELDS)
        self.oneway = names(oneway_field, ("oneway",))
        self.speed = names(speed_field, ("maxspeed",))
        self.level = names(level_field, ("brunnel",))
        # Geofabrik / OSM flags, only when no level field is named
        self.flags = level_field is None
        self.seen = set()

    def check_seen(self, label):
        for what, given in self.given.items():
            if given and given not in self.seen:
                raise _error("field", f"{label}: no feature has the property {given!r} "
                             f"(the {what})")

    def decide(self, props, label, where):
        """For a table with fixed columns (GeoPackage): the first candidate
        present, None when none is."""
        for what, given in self.given.items():
            if given and given not in props:
                raise _error("field", f"{label} {where}: no field {given!r} for the {what} "
                             f"(fields: {sorted(props)})")
        pick = lambda names: next((c for c in names if c in props), None)  # noqa: E731
        self.klass, self.oneway = pick(self.klass), pick(self.oneway)
        self.speed, self.level = pick(self.speed), pick(self.level)
        self.bridge = "bridge" if self.flags and not self.level and "bridge" in props else None
        self.tunnel = "tunnel" if self.flags and not self.level and "tunnel" in props else None
        self.ramp = "ramp" if self.klass == "class" and "ramp" in props else None


def _first(props, names, seen):
    for n in names:
        v = props.get(n)
        if v is not None:
            seen.add(n)
            return n, v
    return None, None


def _flag(v):
    if isinstance(v, (bool, int, float, np.number)):
        return bool(v == v and v != 0)
    return v is not None and str(v).strip().upper() in _TRUE


def _oneway_key(v):
    """The _ONEWAY key of a value: numbers (GeoPackage gives 1.0, NaN) by
    their integer, text upper-cased."""
    if v is None:
        return ""
    if isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
        return "" if v != v else str(int(v)) if float(v).is_integer() else str(v)
    return str(v).strip().upper()


class _Collector:
    def __init__(self, label, fields):
        self.label, self.f = label, fields
        self.coords, self.counts, self.feature = [], [], []
        self.klass, self.oneway, self.speed, self.level = [], [], [], []
        self.has_speed = False

    def feature_(self, k, obj, where):
        if not isinstance(obj, dict):
            raise _error("format", f"{self.label} {where}: not a GeoJSON Feature")
        geom = obj.get("geometry")
        if geom is None:
            return  # null geometry: nothing to route on
        props = obj.get("properties") or {}
        if not isinstance(props, dict):
            raise _error("format", f"{self.label} {where}: field properties is not an object")
        kind = geom.get("type") if isinstance(geom, dict) else None
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        if kind == "LineString":
            parts = [coords]
        elif kind == "MultiLineString":
            parts = coords
        else:
            raise _error("geometry", f"{self.label} {where}: field geometry: {kind or 'no type'}"
                         ", expected a LineString or MultiLineString")
        if not isinstance(parts, list):
            raise _error("geometry", f"{self.label} {where}: field geometry.coordinates is "
                         "not an array")
        f, seen = self.f, self.f.seen
        level = 0
        name, klass = _first(props, f.klass, seen)
        if klass is not None:
            klass = str(klass)
            if name == "class" and klass in _LINK_CLASSES and _flag(props.get("ramp")):
                klass += "_link"
        name, v = _first(props, f.oneway, seen)
        key = _oneway_key(v)
        if key not in _ONEWAY:
            raise _error("value", f"{self.label} {where}: field {name}: {v!r} is not 1, -1, 0, "
                         "F, T, B, yes or no")
        oneway = _ONEWAY[key]
        name, v = _first(props, f.speed, seen)
        try:
            speed = float(v) if v not in (None, "") else None
        except (TypeError, ValueError):
            raise _error("value", f"{self.label} {where}: field {name}: {v!r} is not a number "
                         "(km/h)") from None
        if speed is not None:
            self.has_speed = True
        name, v = _first(props, f.level, seen)
        if v is not None:
            v = str(v).strip().lower()
            level = 1 if v == "bridge" else 2 if v == "tunnel" else 0
        elif f.flags:
            level = 1 if _flag(props.get("bridge")) else 2 if _flag(props.get("tunnel")) else 0
        for part in parts:
            if not isinstance(part, list):
                raise _error("geometry", f"{self.label} {where}: field geometry.coordinates "
                             "holds a part that is not an array of positions")
            self.coords.extend(part)
            self.counts.append(len(part))
            self.feature.append(k)
            self.klass.append(klass)
            self.oneway.append(oneway or 0)
            self.speed.append(np.nan if speed is None else speed)
            self.level.append(level)

    def _bad_position(self, where_of):
        """The first feature whose positions are not [x, y(, z)] numbers."""
        at = 0
        for i, n in enumerate(self.counts):
            for p in self.coords[at:at + n]:
                ok = isinstance(p, list) and len(p) >= 2 and all(
                    isinstance(c, (int, float)) and not isinstance(c, bool) for c in p[:2])
                if not ok:
                    raise _error("geometry", f"{self.label} {where_of(self.feature[i])}: field "
                                 f"geometry.coordinates: position {p!r} is not [lon, lat]")
            at += n
        return None

    def finish(self, where_of, crs=None):
        try:
            xy = np.array(self.coords, dtype=np.float64)
            if xy.ndim != 2 or xy.shape[1] < 2:
                raise ValueError
        except (ValueError, TypeError):
            # mixed dimensions (some positions with z) are fine; other shapes are not
            self._bad_position(where_of)
            xy = np.array([p[:2] for p in self.coords], dtype=np.float64)
        if len(self.coords) == 0:
            xy = np.empty((0, 2))
        offsets = np.zeros(len(self.counts) + 1, dtype=np.uint64)
        np.cumsum(np.asarray(self.counts, dtype=np.uint64), out=offsets[1:])
        names = sorted({k for k in self.klass if k is not None})
        index = {k: i for i, k in enumerate(names)}
        codes = np.array([index[k] if k is not None else -1 for k in self.klass], dtype=np.int32)
        speed = np.asarray(self.speed, dtype=np.float64) if self.has_speed else None
        return RoadLines(self.label, offsets, np.ascontiguousarray(xy[:, 0]),
                         np.ascontiguousarray(xy[:, 1]),
                         np.asarray(self.feature, dtype=np.int64), codes, names,
                         np.asarray(self.oneway, dtype=np.int8), speed,
                         np.asarray(self.level, dtype=np.uint8), crs)


def _column(props, names, seen):
    """Per feature the value of the first of names it has (None: none)."""
    out = None
    for n in names:
        vals = [p.get(n) for p in props]
        if any(v is not None for v in vals):
            seen.add(n)
            out = vals if out is None else [a if a is not None else b for a, b in zip(out, vals)]
    return out


def _fast_lines(label, feats, fields):
    """The common case column by column (LineString features with object
    properties and valid values): a RoadLines, or None to take the
    feature-by-feature path, which names the first bad feature."""
    from itertools import chain

    try:
        geoms = [o["geometry"] for o in feats]
        if any(g is None or g["type"] != "LineString" for g in geoms):
            return None
        props = [o.get("properties") or {} for o in feats]
        if not all(isinstance(p, dict) for p in props):
            return None
        coords = [g["coordinates"] for g in geoms]
        counts = np.fromiter((len(c) for c in coords), dtype=np.uint64, count=len(coords))
        xy = np.array(list(chain.from_iterable(coords)), dtype=np.float64)
    except (KeyError, TypeError, ValueError):
        return None
    if len(feats) == 0 or xy.ndim != 2 or xy.shape[1] != 2:
        return None
    n, seen = len(feats), fields.seen
    klass = _column(props, fields.klass, seen)
    codes, names = np.full(n, -1, dtype=np.int32), []
    if klass is not None:
        klass = [None if v is None else str(v) for v in klass]
        if "class" in seen and "class" in fields.klass:
            ramp = [p.get("ramp") for p in props]
            klass = [k + "_link" if r and k in _LINK_CLASSES and _flag(r) else k
                     for k, r in zip(klass, ramp)]
        names = sorted({k for k in klass if k is not None})
        index = {k: i for i, k in enumerate(names)}
        codes = np.array([index[k] if k is not None else -1 for k in klass], dtype=np.int32)
    oneway = np.zeros(n, dtype=np.int8)
    vals = _column(props, fields.oneway, seen)
    if vals is not None:
        keys = {v: _oneway_key(v) for v in set(vals)}
        if any(k not in _ONEWAY for k in keys.values()):
            return None
        table = {v: _ONEWAY[k] for v, k in keys.items()}
        oneway = np.array([table[v] for v in vals], dtype=np.int8)
    speed = None
    vals = _column(props, fields.speed, seen)
    if vals is not None:
        try:
            speed = np.array([np.nan if v in (None, "") else float(v) for v in vals])
        except (TypeError, ValueError):
            return None
    level = np.zeros(n, dtype=np.uint8)
    vals = _column(props, fields.level, seen)
    if vals is not None:
        table = {v: (1 if str(v).strip().lower() == "bridge" else
                     2 if str(v).strip().lower() == "tunnel" else 0) for v in set(vals)}
        level = np.array([table[v] for v in vals], dtype=np.uint8)
    elif fields.flags:
        for name, code in (("tunnel", 2), ("bridge", 1)):
            flags = [p.get(name) for p in props]
            if any(v is not None for v in flags):
                level[np.array([_flag(v) for v in flags])] = code
    offsets = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(counts, out=offsets[1:])
    return RoadLines(label, offsets, np.ascontiguousarray(xy[:, 0]),
                     np.ascontiguousarray(xy[:, 1]), np.arange(n, dtype=np.int64), codes, names,
                     oneway, speed, level)


#: GeoJSONSeq features parsed per piece: the parsed objects of a whole
#: prefecture at once took 1 GB; a piece's arrays are kept, its objects not
_PIECE = 32768


def _lines_of(label, feats, fields, where, first):
    """RoadLines of parsed features (feature numbers from first)."""
    rl = _fast_lines(label, feats, fields)
    if rl is None:
        col = _Collector(label, fields)
        for k, obj in enumerate(feats):
            col.feature_(k, obj, where(k))
        rl = col.finish(where)
    rl.feature = rl.feature + first
    return rl


def _concat(label, pieces):
    """One RoadLines of pieces read one after the other."""
    if len(pieces) == 1:
        return pieces[0]
    names = sorted({n for p in pieces for n in p.class_names})
    index = {n: i for i, n in enumerate(names)}
    codes, offsets, at = [], [np.zeros(1, dtype=np.uint64)], 0
    for p in pieces:
        remap = np.array([index[n] for n in p.class_names] + [-1], dtype=np.int32)
        codes.append(remap[p.class_codes])  # -1 indexes the appended -1
        offsets.append(p.offsets[1:] + np.uint64(at))
        at += len(p.x)
    speed = None
    if any(p.maxspeed is not None for p in pieces):
        speed = np.concatenate([p.maxspeed if p.maxspeed is not None else
                                np.full(len(p), np.nan) for p in pieces])
    cat = np.concatenate
    return RoadLines(label, cat(offsets), cat([p.x for p in pieces]), cat([p.y for p in pieces]),
                     cat([p.feature for p in pieces]), cat(codes), names,
                     cat([p.oneway for p in pieces]), speed, cat([p.level for p in pieces]))


def _read_seq(path, fields):
    """GeoJSONSeq, streamed: lines parsed and turned into arrays a piece
    at a time."""
    label = os.fspath(path)
    loads, decode_error = _loads()
    opener = gzip.open if label.lower().endswith(".gz") else open
    pieces, feats, line_of, first = [], [], [], 0

    def flush():
        nonlocal feats, line_of, first
        if feats:
            nos = line_of
            pieces.append(_lines_of(label, feats, fields, lambda k: f"line {nos[k]}", first))
            first += len(feats)
        feats, line_of = [], []

    try:
        with opener(label, "rb") as f:
            for no, raw in enumerate(f, 1):
                raw = raw.strip().lstrip(b"\x1e")  # RFC 8142 record separators
                if not raw:
                    continue
                try:
                    feats.append(loads(raw))
                except decode_error as exc:
                    raise _error("format", f"{label} line {no}: not valid JSON ({exc})") from None
                line_of.append(no)
                if len(feats) == _PIECE:
                    flush()
    except FileNotFoundError:
        raise _error("file", f"{label}: no such file") from None
    except (OSError, EOFError) as exc:
        raise _error("file", f"{label}: cannot read ({exc})") from None
    flush()
    if not pieces:
        return _Collector(label, fields).finish(str)
    return _concat(label, pieces)


def _read_geojson(path, fields):
    label = os.fspath(path)
    name = label.lower()[:-3] if label.lower().endswith(".gz") else label.lower()
    if name.endswith(_SEQ_SUFFIXES):
        rl = _read_seq(path, fields)
        fields.check_seen(label)
        return rl
    data = _open_bytes(path)
    loads, decode_error = _loads()
    try:
        doc = loads(data)
    except decode_error as exc:
        raise _error("format", f"{label}: not valid JSON ({exc})") from None
    del data
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list):
            raise _error("format", f"{label}: field features is not an array")
    elif isinstance(doc, dict) and doc.get("type") == "Feature":
        feats = [doc]
    else:
        raise _error("format", f"{label}: not a GeoJSON FeatureCollection or Feature")
    rl = _lines_of(label, feats, fields, lambda k: f"feature {k}", 0)
    fields.check_seen(label)
    return rl


def _read_gpkg(path, fields, layer=None):
    label = os.fspath(path)
    if not os.path.exists(label):
        raise _error("file", f"{label}: no such file")
    try:
        import pyogrio
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("reading a GeoPackage needs pyogrio (pip install pyogrio)") from None
    import shapely

    try:
        meta, _, wkb, values = pyogrio.raw.read(label, layer=layer)
    except Exception as exc:  # pyogrio raises its own DataSourceError and friends
        raise _error("format", f"{label}: cannot read ({exc})") from None
    names = list(meta["fields"])
    fields.decide({n: None for n in names}, label, "layer")
    geoms = shapely.from_wkb(wkb)
    types = shapely.get_type_id(geoms)
    bad = np.flatnonzero(~shapely.is_missing(geoms) & ~np.isin(types, [1, 5]))
    if len(bad):
        raise _error("geometry", f"{label} feature {int(bad[0])}: field geometry: "
                     f"{shapely.get_type_id(geoms[bad[0]])} is not a LineString or "
                     "MultiLineString")
    parts, feat = shapely.get_parts(geoms, return_index=True)
    xy, idx = shapely.get_coordinates(parts, return_index=True)
    counts = np.bincount(idx, minlength=len(parts))
    offsets = np.zeros(len(parts) + 1, dtype=np.uint64)
    np.cumsum(counts.astype(np.uint64), out=offsets[1:])
    cols = dict(zip(names, values))
    klass = cols[fields.klass][feat] if fields.klass else None
    class_names, codes = [], np.full(len(parts), -1, dtype=np.int32)
    if klass is not None:
        strs = np.array(["" if v is None else str(v) for v in klass], dtype=object)
        if fields.ramp:
            ramp = np.array([_flag(v) for v in cols[fields.ramp][feat]], dtype=bool)
            link = ramp & np.isin(strs, list(_LINK_CLASSES))
            strs[link] = strs[link] + "_link"
        class_names = sorted(set(strs) - {""})
        index = {k: i for i, k in enumerate(class_names)}
        codes = np.array([index.get(s, -1) for s in strs], dtype=np.int32)
    oneway = np.zeros(len(parts), dtype=np.int8)
    if fields.oneway:
        for i, v in enumerate(cols[fields.oneway][feat]):
            key = _oneway_key(v)
            if key not in _ONEWAY:
                raise _error("value", f"{label} feature {int(feat[i])}: field {fields.oneway}: "
                             f"{v!r} is not 1, -1, 0, F, T, B, yes or no")
            oneway[i] = _ONEWAY[key]
    speed = None
    if fields.speed:
        import pandas as pd

        speed = pd.to_numeric(pd.Series(cols[fields.speed][feat]), errors="coerce").to_numpy(
            np.float64)
    level = np.zeros(len(parts), dtype=np.uint8)
    if fields.level:
        lv = np.array(["" if v is None else str(v).strip().lower()
                       for v in cols[fields.level][feat]])
        level[lv == "bridge"] = 1
        level[lv == "tunnel"] = 2
    else:
        if fields.tunnel:
            level[[_flag(v) for v in cols[fields.tunnel][feat]]] = 2
        if fields.bridge:
            level[[_flag(v) for v in cols[fields.bridge][feat]]] = 1
    crs = meta.get("crs")
    return RoadLines(label, offsets, np.ascontiguousarray(xy[:, 0]),
                     np.ascontiguousarray(xy[:, 1]), feat.astype(np.int64), codes, class_names,
                     oneway, speed, level, crs)


def read_road_lines(path, *, class_field=None, oneway_field=None, speed_field=None,
                    level_field=None):
    """Reads a GeoJSON, GeoJSONSeq (``.ndjson``, ``.geojsonl``, gzip too) or
    GeoPackage road layer into a :class:`RoadLines`. Fields: see the module
    docstring; ``""`` means none, a name given must exist."""
    import gc

    fields = _Fields(class_field, oneway_field, speed_field, level_field)
    if os.fspath(path).lower().endswith(".gpkg"):
        return _read_gpkg(path, fields)
    # millions of small lists and dicts, none in a cycle: the cyclic
    # collector would rescan them all again and again (5x the parse time)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_geojson(path, fields)
    finally:
        if enabled:
            gc.enable()


def network_from_lines(ctx, rl, opt, keep):
    """The C network of ``rl`` in one call (``cov_network_from_lines``);
    returns the pointer (the caller wraps it)."""
    from ._ffi.core import call

    c = ffi.new("cov_road_lines *")
    lib.cov_road_lines_init(c)
    offsets = np.ascontiguousarray(rl.offsets, dtype=np.uint64)
    x = np.ascontiguousarray(rl.x, dtype=np.float64)
    y = np.ascontiguousarray(rl.y, dtype=np.float64)
    codes = np.ascontiguousarray(rl.class_codes, dtype=np.int32)
    oneway = np.ascontiguousarray(rl.oneway, dtype=np.int8)
    level = np.ascontiguousarray(rl.level, dtype=np.uint8)
    keep += [offsets, x, y, codes, oneway, level]
    c.n_lines = len(rl)
    c.offsets = ffi.cast("const size_t *", ffi.from_buffer(offsets))
    c.x = ffi.cast("const double *", ffi.from_buffer(x)) if len(x) else ffi.NULL
    c.y = ffi.cast("const double *", ffi.from_buffer(y)) if len(y) else ffi.NULL
    if rl.class_names:
        bufs = [ffi.new("char[]", str(n).encode("utf-8")) for n in rl.class_names]
        names = ffi.new("const char *[]", bufs)
        keep += bufs + [names]
        c.class_codes = ffi.cast("const int32_t *", ffi.from_buffer(codes))
        c.class_names = names
        c.n_class_names = len(rl.class_names)
    c.oneway = ffi.cast("const int8_t *", ffi.from_buffer(oneway)) if len(oneway) else ffi.NULL
    c.level = ffi.cast("const uint8_t *", ffi.from_buffer(level)) if len(level) else ffi.NULL
    if rl.maxspeed is not None:
        sp = np.ascontiguousarray(rl.maxspeed, dtype=np.float64)
        keep.append(sp)
        c.maxspeed_kmh = ffi.cast("const double *", ffi.from_buffer(sp)) if len(sp) else ffi.NULL
    return call(ctx, lib.cov_network_from_lines, c, opt, progress="building the road graph")
