"""Regions, facilities and demand: readers and the objects they return.

Each reader takes a path (shapefiles and CSV files go through libcoverage's
own readers, which decode CP932 DBFs and name the file, record and field of
any error; GeoJSON, GeoPackage and other formats go through geopandas), a
GeoDataFrame, or a DataFrame.
"""
import os
from pathlib import Path

import numpy as np

from ._ffi import core as _core
from ._ffi.core import call, cstrings, doubles, encode, encode_path
from ._libcoverage import ffi, lib
from .errors import CoverageError
from .kinds import h24_flag


def crs_text(crs):
    """A CRS as libcoverage takes it: None, "EPSG:n", an int, WKT, a PROJ
    string, or anything with ``to_wkt()`` (pyproj.CRS)."""
    if crs is None:
        return None
    if isinstance(crs, int):
        return f"EPSG:{crs}"
    if hasattr(crs, "to_wkt"):
        return crs.to_wkt()
    return str(crs)


def _is_path(source):
    return isinstance(source, (str, bytes, os.PathLike))


def _check_source(source, what):
    if source is None or not (_is_path(source) or hasattr(source, "columns")):
        raise TypeError(f"{what}: give a path, a GeoDataFrame or a DataFrame, not "
                        f"{type(source).__name__}")


def _suffix(source):
    return Path(os.fsdecode(source)).suffix.lower()


def _as_frame(source):
    """``(frame, label)``: a DataFrame or GeoDataFrame as is, or a vector
    file geopandas knows (GeoJSON, GeoPackage, ...) read into one; the label
    names the source in messages."""
    if not _is_path(source):
        return source, type(source).__name__
    return _read_other(source), os.fsdecode(source)


def _read_other(source):
    """Reads a vector file geopandas knows (GeoJSON, GeoPackage, ...),
    with zaitaku's errors for a missing or unreadable file."""
    import geopandas as gpd

    from .errors import FileFormatError, InputFileError

    path = os.fsdecode(source)
    if not Path(path).exists():
        raise InputFileError(f"{path}: no such file", code=lib.COV_ERR_IO, status="COV_ERR_IO")
    try:
        return gpd.read_file(path)
    except Exception as e:  # pyogrio raises its own DataSourceError
        raise FileFormatError(f"{path}: cannot be read as a vector file ({e})",
                              code=lib.COV_ERR_FORMAT, status="COV_ERR_FORMAT") from e


def _html_table(title, rows):
    cells = "".join(f"<tr><th style='text-align:left'>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<div><b>{title}</b><table>{cells}</table></div>"


class _Wrapped:
    """A libcoverage object owned by Python, tied to its context."""

    _destroy = None

    def __init__(self, ctx, ptr, source):
        self._ctx = ctx
        self._ptr = ctx.owns(ptr, type(self)._destroy)
        self.source = source

    def _table(self, fn):
        return _core.Table(self._ctx, call(self._ctx, fn, self._ptr))


class Regions(_Wrapped):
    """Polygons over which coverage is reported, in JGD2011 lon/lat.

    Records sharing an id form one region. Use :func:`read_regions` to make
    them and :meth:`dissolve` to merge them (municipalities into areas).
    """

    _destroy = lib.cov_regions_destroy

    def __len__(self):
        return lib.cov_regions_count(self._ptr)

    @property
    def ids(self):
        """Region ids (strings, leading zeros kept)."""
        return [_core._text(lib.cov_regions_id(self._ptr, i)) for i in range(len(self))]

    @property
    def names(self):
        return [_core._text(lib.cov_regions_name(self._ptr, i)) for i in range(len(self))]

    def to_geodataframe(self):
        """The regions (region_id, region_name, area_km2 on the GRS80
        ellipsoid) as a GeoDataFrame in EPSG:6668 (made once: regions do
        not change; each call returns a copy)."""
        if getattr(self, "_frame", None) is None:
            self._frame = self._table(lib.cov_regions_table).to_frame()
        return self._frame.copy()

    def dissolve(self, mapping, from_field=None, to_field=None, name_field=None, strict=False):
        """Merges regions through a mapping (municipality code -> area code).

        Parameters
        ----------
        mapping : path, DataFrame or dict
            A CSV file or DataFrame with the columns ``from_field``,
            ``to_field`` and optionally ``name_field``; or a dict from old
            to new id. Cells are taken as text, so leading zeros are kept.
        strict : bool
            Fail when a region has no target; by default such regions are
            dropped with a warning listing them.

        Returns
        -------
        Regions
        """
        import pandas as pd

        flags = lib.COV_DISSOLVE_STRICT if strict else 0
        if isinstance(mapping, dict):
            mapping = pd.DataFrame({"from": list(mapping), "to": list(mapping.values())})
            from_field, to_field, name_field = "from", "to", None
        if from_field is None or to_field is None:
            raise ValueError("dissolve needs from_field and to_field (the mapping's columns)")
        if _is_path(mapping):
            ptr = call(self._ctx, lib.cov_regions_dissolve_csv, self._ptr,
                       encode_path(mapping), encode(from_field), encode(to_field),
                       encode(name_field), flags)
            return Regions(self._ctx, ptr, os.fspath(mapping))
        frame = mapping
        for col in (from_field, to_field, name_field):
            if col is not None and col not in frame.columns:
                from .errors import FieldError

                raise FieldError(f"mapping has no column {col!r} (columns: "
                                 f"{', '.join(map(str, frame.columns))})",
                                 code=lib.COV_ERR_FIELD, status="COV_ERR_FIELD")
        keep = []
        text = lambda col: ["" if pd.isna(v) else str(v) for v in frame[col]]  # noqa: E731
        names = cstrings(text(name_field), keep) if name_field else ffi.NULL
        ptr = call(self._ctx, lib.cov_regions_dissolve, self._ptr, len(frame),
                   cstrings(text(from_field), keep), cstrings(text(to_field), keep), names, flags)
        return Regions(self._ctx, ptr, "mapping")

    def __repr__(self):
        return f"<Regions: {len(self)} from {self.source}>"

    def _repr_html_(self):
        ids = self.ids
        shown = ", ".join(f"{i} {n}".strip() for i, n in zip(ids[:8], self.names[:8]))
        return _html_table("Regions", [("regions", len(ids)), ("source", self.source),
                                       ("first", shown + (" …" if len(ids) > 8 else ""))])


class Facilities(_Wrapped):
    """Points that give care, each with an id, a name, a kind and a capacity."""

    _destroy = lib.cov_facilities_destroy

    def __len__(self):
        return lib.cov_facilities_count(self._ptr)

    @property
    def kinds(self):
        """Distinct kinds, in order of first appearance."""
        return [_core._text(lib.cov_facilities_kind_name(self._ptr, k))
                for k in range(lib.cov_facilities_kind_count(self._ptr))]

    def to_geodataframe(self):
        """facility_id, name, kind, capacity and the point (EPSG:6668)."""
        return self._table(lib.cov_facilities_table).to_frame()

    def __repr__(self):
        return f"<Facilities: {len(self)} ({', '.join(self.kinds)}) from {self.source}>"

    def _repr_html_(self):
        counts = self.to_geodataframe()["kind"].value_counts()
        return _html_table("Facilities", [("facilities", len(self)), ("source", self.source)] +
                           [(k, int(v)) for k, v in counts.items()])


class Demand(_Wrapped):
    """Where people live: mesh cells or points with weights."""

    _destroy = lib.cov_demand_destroy

    def __len__(self):
        return lib.cov_demand_count(self._ptr)

    @property
    def weight_names(self):
        return [_core._text(lib.cov_demand_weight_name(self._ptr, j))
                for j in range(lib.cov_demand_weight_count(self._ptr))]

    def weights(self, name=None):
        """The values of a weight column (the first when name is None)."""
        j = 0 if name is None else self._weight_index(name)
        n = len(self)
        return np.frombuffer(ffi.buffer(lib.cov_demand_weights(self._ptr, j), 8 * n),
                             dtype=np.float64).copy() if n else np.empty(0)

    def weight_name(self, weight=None):
        """The name of a weight column given by name or number (None: the
        first); None when the demand has no weight column and none is
        asked for. A name or number that is not a column fails as
        :meth:`weights` does.

        >>> import zaitaku
        >>> dem = zaitaku.Analysis.sample().demand
        >>> dem.weight_name(), dem.weight_name(2), dem.weight_name("age65")
        ('total', 'age75', 'age65')
        """
        names = self.weight_names
        if weight is None:
            return names[0] if names else None
        return names[self._weight_index(weight)]

    def _weight_index(self, name):
        """A weight column by name (KeyError listing the names when absent)
        or by number (out of range: InvalidArgumentError, as the library
        says)."""
        names = self.weight_names
        if isinstance(name, bool):
            raise TypeError("weight must be a column name or number, not a bool")
        if isinstance(name, (int, np.integer)):
            if 0 <= name < len(names):
                return int(name)
            from .errors import InvalidArgumentError

            raise InvalidArgumentError(f"weight column {int(name)} does not exist (demand has "
                                       f"{len(names)}: {', '.join(names)})",
                                       code=lib.COV_ERR_ARG, status="COV_ERR_ARG")
        if name in names:
            return names.index(name)
        raise KeyError(f"no weight column {name!r} (columns: {', '.join(names)})")

    def to_geodataframe(self):
        """demand_id, mesh_level, the weights, and each cell's polygon (or
        point), EPSG:6668."""
        return self._table(lib.cov_demand_table).to_frame()

    def points(self):
        """demand_id, lon, lat: each unit's point (a cell's centroid, as
        coverage counts it), JGD2011 degrees."""
        import pandas as pd

        n = len(self)

        def column(fn):
            return (np.frombuffer(ffi.buffer(fn(self._ptr), 8 * n), dtype=np.float64).copy()
                    if n else np.empty(0))

        return pd.DataFrame({"demand_id": [_core._text(lib.cov_demand_id(self._ptr, i))
                                           for i in range(n)],
                             "lon": column(lib.cov_demand_lon), "lat": column(lib.cov_demand_lat)})

    def __repr__(self):
        return f"<Demand: {len(self)} units, weights {self.weight_names} from {self.source}>"

    def _repr_html_(self):
        rows = [("units", len(self)), ("source", self.source)]
        rows += [(f"total {w}", f"{self.weights(w).sum():,.0f}") for w in self.weight_names]
        return _html_table("Demand", rows)


def read_regions(source, id_field, name_field=None, *, crs=None, ctx=None):
    """Reads regions (polygons) from a shapefile, another vector file, or a
    GeoDataFrame.

    Parameters
    ----------
    source : path or GeoDataFrame
        A polygon shapefile (read by libcoverage: DBF text from .cpg, LDID,
        UTF-8 or CP932), any file geopandas reads (GeoJSON, GeoPackage), or
        a GeoDataFrame.
    id_field, name_field : str
        Columns holding the region id and (optionally) its name. Records
        sharing an id form one region (N03 stores every island apart).
    crs : str, int or pyproj.CRS, optional
        The CRS of the coordinates, when the data does not say it.

    Returns
    -------
    Regions

    Examples
    --------
    >>> import zaitaku
    >>> munis = zaitaku.read_regions(zaitaku.sample_path("municipalities.shp"),
    ...                              "muni_code", "muni_name")
    >>> len(munis), munis.names[0]
    (10, '中央市')
    """
    _check_source(source, "read_regions")
    ctx = ctx or _core.context()
    if _is_path(source) and _suffix(source) == ".shp":
        ptr = call(ctx, lib.cov_regions_read_shp, encode_path(source), encode(id_field),
                   encode(name_field), encode(crs_text(crs)))
        return Regions(ctx, ptr, os.fsdecode(source))
    frame, label = _as_frame(source)
    return _regions_from_frame(ctx, frame, id_field, name_field, crs, label)


def _regions_from_frame(ctx, gdf, id_field, name_field, crs, label):
    import pandas as pd

    import shapely

    _need_columns(gdf, [c for c in (id_field, name_field) if c is not None], label)
    crs = crs if crs is not None else gdf.crs
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():  # as the shapefile reader does with null shapes
        import warnings

        from .errors import CoverageWarning

        skipped = ", ".join(map(str, gdf.loc[empty, id_field].head(8)))
        warnings.warn(f"{label}: {int(empty.sum())} row(s) without geometry skipped (id {skipped})",
                      CoverageWarning, stacklevel=_core._caller_level())
        gdf = gdf[~empty]
    keep = []
    wkbs = [bytes(w) if w is not None else b"" for w in shapely.to_wkb(gdf.geometry.values)]
    bufs = ffi.new("const unsigned char *[]", max(len(wkbs), 1))
    sizes = ffi.new("size_t[]", max(len(wkbs), 1))
    for i, w in enumerate(wkbs):
        b = ffi.from_buffer(w)
        keep.append(b)
        bufs[i] = ffi.cast("const unsigned char *", b)
        sizes[i] = len(w)
    ids = cstrings([None if pd.isna(v) else str(v) for v in gdf[id_field]], keep)
    names = cstrings(["" if pd.isna(v) else str(v) for v in gdf[name_field]], keep) if name_field else ffi.NULL
    ptr = call(ctx, lib.cov_regions_from_wkb, len(wkbs), ids, names, bufs, sizes,
               encode(crs_text(crs)))
    return Regions(ctx, ptr, label)


def read_facilities(source, id_field="facility_id", *, kind_field=None, name_field=None,
                    capacity_field=None, lon_field="lon", lat_field="lat", crs=None,
                    default_kind=None, ctx=None, roles_field=None, h24_field=None,
                    network_field=None, doctors_field=None, nurse_fte_field=None,
                    beds_field=None, beds_psychiatric_field=None):
    """Reads facilities (points) from a CSV with coordinate columns, a point
    shapefile, a JSON list of records with coordinate fields (as
    介護サービス情報公表's ``clinics_geo.json``), another vector file
    (GeoJSON, GeoPackage, ...), a GeoDataFrame or a DataFrame.

    Parameters
    ----------
    source : path, GeoDataFrame or DataFrame
    id_field : str
        Unique facility id.
    kind_field, name_field, capacity_field : str, optional
        Kind (e.g. ``zaishin``, ``nursing``), name, and capacity (doctors,
        nurse FTE) columns. Without ``kind_field`` every facility gets
        ``default_kind`` (``"facility"`` when None).
    lon_field, lat_field : str
        Coordinate columns of a CSV or DataFrame, or fields of the records
        of a JSON list (x and y in ``crs`` when that is not lon/lat).
    crs : str, int or pyproj.CRS, optional
        CRS of the coordinates (default JGD2011 lon/lat, or the data's own).
    roles_field, h24_field, network_field, doctors_field, nurse_fte_field, beds_field : str, optional
        Planning attributes (see :mod:`zaitaku.planning`): designated roles
        (``"lead"``, ``"hub"`` or ``"lead;hub"``), the 24-hour flag (1/0,
        yes/no, ○/×, 有/無), the network id of an ``enhanced_network``
        clinic, doctors, nurse FTE and beds. Empty cells mean unknown.
    beds_psychiatric_field : str, optional
        Psychiatric beds (精神病床) among the beds: a hospital whose beds are
        all psychiatric is not a designation candidate unless asked for
        (:func:`zaitaku.planning.candidates`).

    Returns
    -------
    Facilities

    Examples
    --------
    >>> import zaitaku
    >>> fac = zaitaku.read_facilities(zaitaku.sample_path("facilities.csv"),
    ...                               kind_field="kind", name_field="name")
    >>> len(fac), fac.kinds[:2]
    (41, ['enhanced_single', 'zaishin'])
    """
    import pandas as pd

    _check_source(source, "read_facilities")
    ctx = ctx or _core.context()
    fields_keep = [encode(x) for x in (id_field, name_field, kind_field, capacity_field,
                                        lon_field, lat_field, default_kind)]
    if _is_path(source) and _suffix(source) in (".csv", ".shp"):
        fields = ffi.new("cov_facility_fields *")
        cbufs = [ffi.new("char[]", b) if b != ffi.NULL else ffi.NULL for b in fields_keep]
        (fields.id, fields.name, fields.kind, fields.capacity, fields.lon, fields.lat,
         fields.default_kind) = cbufs
        attrs = [ffi.new("char[]", encode(x)) if x is not None else ffi.NULL
                 for x in (roles_field, h24_field, network_field, doctors_field,
                           nurse_fte_field, beds_field, beds_psychiatric_field)]
        (fields.roles, fields.h24, fields.network_id, fields.doctors, fields.nurse_fte,
         fields.beds, fields.beds_psychiatric) = attrs
        fn = lib.cov_facilities_read_csv if _suffix(source) == ".csv" else lib.cov_facilities_read_shp
        ptr = call(ctx, fn, encode_path(source), fields, encode(crs_text(crs)))
        return Facilities(ctx, ptr, os.fsdecode(source))
    records = _json_records(source, id_field, lon_field, lat_field) if (
        _is_path(source) and _suffix(source) == ".json") else None
    frame, label = (records, os.fsdecode(source)) if records is not None else _as_frame(source)
    if hasattr(frame, "geometry") and lon_field not in frame.columns:
        crs = crs if crs is not None else frame.crs
        x, y = frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()
    else:
        _need_columns(frame, (lon_field, lat_field), label)
        x, y = frame[lon_field].to_numpy(), frame[lat_field].to_numpy()
    _need_columns(frame, [c for c in (id_field, name_field, kind_field, capacity_field) if c], label)
    keep = []
    col = lambda c: cstrings(["" if pd.isna(v) else str(v) for v in frame[c]], keep) if c else ffi.NULL  # noqa: E731
    kinds = col(kind_field) if kind_field else (
        cstrings([default_kind] * len(frame), keep) if default_kind else ffi.NULL)
    cap_arr, cap = _numbers(frame, capacity_field, label) if capacity_field else (None, ffi.NULL)
    xa, xp = doubles(x)
    ya, yp = doubles(y)
    ids = cstrings([None if pd.isna(v) else str(v) for v in frame[id_field]], keep)
    ptr = call(ctx, lib.cov_facilities_from_arrays, len(frame), ids, col(name_field), kinds, cap,
               xp, yp, encode(crs_text(crs)))
    fac = Facilities(ctx, ptr, label)
    _set_attributes(fac, frame, label, roles_field, h24_field, network_field, doctors_field,
                    nurse_fte_field, beds_field, beds_psychiatric_field)
    return fac


def _json_records(source, id_field, lon_field, lat_field):
    """A ``.json`` file that is a list of records (objects), such as the
    介護サービス情報公表 stations' ``clinics_geo.json``, as a DataFrame with
    float ``lon_field``/``lat_field`` columns; None for any other JSON
    (GeoJSON is an object), which geopandas then reads. A record that is not
    an object or lacks a coordinate is an error naming the file, the record
    (from 1) and the field."""
    import json

    import pandas as pd

    from .errors import FieldError, FileFormatError, InputFileError, InvalidValueError

    path = os.fsdecode(source)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        why = ("no such file" if isinstance(e, FileNotFoundError)
               else f"cannot be read ({e.strerror})")
        raise InputFileError(f"{path}: {why}", code=lib.COV_ERR_IO, status="COV_ERR_IO") from None
    try:
        data = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None  # not JSON text zaitaku reads itself: geopandas says what it is
    if not isinstance(data, list):
        return None
    lon, lat = np.empty(len(data)), np.empty(len(data))
    for i, rec in enumerate(data):
        if not isinstance(rec, dict):
            raise FileFormatError(f"{path}: record {i + 1}: expected an object with {lon_field} "
                                  f"and {lat_field}, got {type(rec).__name__}",
                                  code=lib.COV_ERR_FORMAT, status="COV_ERR_FORMAT")
        for field, out in ((lon_field, lon), (lat_field, lat)):
            value = rec.get(field)
            fid = rec.get(id_field)
            where = (f"{path}: record {i + 1}" + (f" (id {fid})" if fid not in (None, "") else "")
                     + f", field {field}")
            if value is None or value == "":
                # FieldError as for a CSV without the column: the options name the field
                raise FieldError(f"{where}: no coordinate (fields: {', '.join(map(str, rec))})",
                                 code=lib.COV_ERR_FIELD, status="COV_ERR_FIELD")
            try:
                out[i] = float(value)
            except (TypeError, ValueError):
                raise InvalidValueError(f"{where}: {value!r} is not a number",
                                        code=lib.COV_ERR_VALUE, status="COV_ERR_VALUE") from None
    frame = pd.DataFrame.from_records(data) if data else pd.DataFrame(columns=[lon_field, lat_field])
    frame[lon_field], frame[lat_field] = lon, lat
    return frame


def _numbers(frame, column, label):
    """A numeric column as C doubles (missing values NaN), or an error
    naming the column and a bad value."""
    import pandas as pd

    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        from .errors import InvalidValueError

        raise InvalidValueError(f"{label}: column {column!r} holds a non-numeric value "
                                f"{frame[column][bad].iloc[0]!r}", code=lib.COV_ERR_VALUE,
                                status="COV_ERR_VALUE")
    return doubles(values.to_numpy(dtype=np.float64))


def _need_columns(frame, columns, label):
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        from .errors import FieldError

        raise FieldError(f"{label}: no column {missing[0]!r} (columns: "
                         f"{', '.join(map(str, frame.columns))})",
                         code=lib.COV_ERR_FIELD, status="COV_ERR_FIELD")


def read_demand(source, *, mesh_field=None, weight_fields=None, id_field=None, lon_field=None,
                lat_field=None, crs=None, header=True, ctx=None):
    """Reads demand: JIS X 0410 mesh cells with weights, or weighted points.

    Parameters
    ----------
    source : path, DataFrame or GeoDataFrame
        A CSV (UTF-8 or CP932; ``header=False`` for header-less files, whose
        fields are then 1-based column numbers such as ``"1"``), a DataFrame
        with a mesh-code column or coordinate columns, or a point
        GeoDataFrame.
    mesh_field : str, optional
        Column of mesh codes (80 km to 250 m levels); without it the demand
        is points with ``id_field`` and ``lon_field``/``lat_field``.
    weight_fields : list of str, optional
        Weight columns (total, 65+, 75+ ...); none means every unit weighs 1.

    Returns
    -------
    Demand

    Examples
    --------
    >>> import zaitaku
    >>> dem = zaitaku.read_demand(zaitaku.sample_path("population_mesh1km.csv"),
    ...                           mesh_field="mesh_code", weight_fields=["total", "age65"])
    >>> len(dem), int(dem.weights("total").sum())
    (2200, 318249)
    """
    import pandas as pd

    _check_source(source, "read_demand")
    ctx = ctx or _core.context()
    weight_fields = list(weight_fields or [])
    keep = []
    flags = 0 if header else lib.COV_CSV_NO_HEADER
    wf = cstrings(weight_fields, keep) if weight_fields else ffi.NULL
    if _is_path(source) and _suffix(source) in (".csv", ".txt"):
        path = encode_path(source)
        if mesh_field is not None:
            ptr = call(ctx, lib.cov_demand_read_mesh_csv, path, encode(mesh_field),
                       len(weight_fields), wf, flags)
        else:
            if not (id_field and lon_field and lat_field):
                raise ValueError("point demand needs id_field, lon_field and lat_field (or give mesh_field)")
            ptr = call(ctx, lib.cov_demand_read_points_csv, path, encode(id_field),
                       encode(lon_field), encode(lat_field), encode(crs_text(crs)),
                       len(weight_fields), wf, flags)
        return Demand(ctx, ptr, os.fsdecode(source))
    frame, label = _as_frame(source)
    _need_columns(frame, weight_fields, label)
    w_arr, w = doubles(frame[weight_fields].to_numpy(dtype=np.float64)) if weight_fields else (None, ffi.NULL)
    if mesh_field is not None:
        _need_columns(frame, [mesh_field], label)
        codes = cstrings([_mesh_text(v) for v in frame[mesh_field]], keep)
        ptr = call(ctx, lib.cov_demand_from_mesh, len(frame), codes, len(weight_fields), wf, w)
        return Demand(ctx, ptr, label)
    if hasattr(frame, "geometry") and not (lon_field and lon_field in frame.columns):
        crs = crs if crs is not None else frame.crs
        x, y = frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()
        position = f"field {frame.geometry.name}"
    else:
        _need_columns(frame, [lon_field or "lon", lat_field or "lat"], label)
        x, y = frame[lon_field or "lon"].to_numpy(), frame[lat_field or "lat"].to_numpy()
        position = f"columns {lon_field or 'lon'}, {lat_field or 'lat'}"
    ids = (frame[id_field] if id_field else pd.Series(range(len(frame)))).astype(str)
    xa, xp = doubles(x)
    ya, yp = doubles(y)
    try:
        ptr = call(ctx, lib.cov_demand_from_points, len(frame), cstrings(list(ids), keep), xp,
                   yp, encode(crs_text(crs)), len(weight_fields), wf, w)
    except CoverageError as exc:
        where = f"{label} record" if _is_path(source) else f"{label} row"
        raise _point_error(exc, where, position, id_field or "id", list(ids)) from None
    return Demand(ctx, ptr, label)


def _point_error(exc, where, position, id_field, ids):
    """The C message about point demand given as arrays, retold with the
    file (or frame) it came from, the record (or row, from 0) and the
    field."""
    import re

    text = str(exc)
    m = re.match(r"point demand entry (\d+) \(id (.*?)\): (.*)", text, re.S)
    if m:
        text = f"{where} {m[1]} (id {m[2]}) {position}: {m[3]}"
    elif m := re.match(r"point demand entry (\d+): empty id", text):
        text = f"{where} {m[1]} field {id_field}: empty id"
    elif m := re.match(r'point demand: unit (.*?), weight "(.*?)" is (.*)', text, re.S):
        text = f"{where} {ids.index(m[1])} (id {m[1]}) field {m[2]}: weight is {m[3]}"
    elif m := re.match(r'point demand: unit (\d+) repeats id "(.*)" of unit (\d+)', text, re.S):
        text = f'{where} {m[1]} field {id_field}: id "{m[2]}" repeats {where.split()[-1]} {m[3]}'
    else:
        text = f"{where.rsplit(' ', 1)[0]}: {text}"
    return type(exc)(text, code=exc.code, status=exc.status)


def _mesh_text(value):
    """Mesh codes from a DataFrame: integers are fine; floats such as
    53394611.0 (pandas' NaN-widened ints) are written back as digits."""
    if isinstance(value, (float, np.floating)) and value == value and float(value).is_integer():
        return str(int(value))
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


# ---------------------------------------------------------------- planning attributes

def _flag(value, label, column, row):
    import pandas as pd

    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return -1
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    flag = h24_flag(text)  # the words libcoverage's reader takes (zaitaku.kinds)
    if flag is not None:
        return flag
    from .errors import InvalidValueError

    raise InvalidValueError(f"{label} row {row}, field {column}: {value!r} is not a 24-hour "
                            "flag (1/0, yes/no, ○/×, 有/無 or empty)",
                            code=lib.COV_ERR_VALUE, status="COV_ERR_VALUE")


def _set_attributes(fac, frame, label, roles=None, h24=None, network=None, doctors=None,
                    nurse_fte=None, beds=None, beds_psychiatric=None):
    """Sets the planning attributes of facilities made from a frame."""
    import pandas as pd

    columns = (roles, h24, network, doctors, nurse_fte, beds, beds_psychiatric)
    if all(c is None for c in columns):
        return
    _need_columns(frame, [c for c in columns if c], label)
    keep = []
    at = ffi.new("cov_facility_attrs *")
    text = lambda c: cstrings(["" if pd.isna(v) else str(v) for v in frame[c]], keep)  # noqa: E731
    if roles:
        at.roles = text(roles)
    if network:
        at.network_ids = text(network)
    if h24:
        flags = np.array([_flag(v, label, h24, i) for i, v in enumerate(frame[h24])],
                         dtype=np.intc)
        keep.append(flags)
        at.h24 = ffi.cast("const int *", ffi.from_buffer(flags))
    for column, attr in ((doctors, "doctors"), (nurse_fte, "nurse_fte"), (beds, "beds"),
                         (beds_psychiatric, "beds_psychiatric")):
        if column:
            arr, ptr = _numbers(frame, column, label)
            keep.append(arr)
            setattr(at, attr, ptr)
    call(fac._ctx, lib.cov_facilities_set_attrs, fac._ptr, at, returns="status")
