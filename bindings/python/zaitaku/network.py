"""Road networks: graphs built from line layers, bounded shortest paths,
snapping and isochrones, on libcoverage's network layer."""
import os

import numpy as np

from . import _roads_io
from ._ffi import core as _core
from ._ffi.core import Table, call, cstrings, doubles, encode, encode_path
from ._libcoverage import ffi, lib
from .inputs import _Wrapped, _as_frame, _is_path, _suffix, crs_text
from .units import metres, threshold

_ONEWAY = {"F": 1, "T": -1, "B": 0, "YES": 1, "NO": 0, "1": 1, "-1": -1, "0": 0, "TRUE": 1,
           "FALSE": 0, "": 0}


_SNAP_RULES = {"routable": lib.COV_SNAP_ROUTABLE, "any": lib.COV_SNAP_ANY_EDGE}


def _options(class_field, oneway_field, speed_field, crs, node_tolerance, default_speed_kmh,
             min_component_nodes, snap_to, keep):
    opt = ffi.new("cov_network_options *")
    lib.cov_network_options_init(opt)
    if snap_to not in _SNAP_RULES:
        raise ValueError(f"snap_to must be 'routable' or 'any', not {snap_to!r}")
    opt.snap_to = _SNAP_RULES[snap_to]
    opt.node_tolerance_m = 0.0 if node_tolerance in (0, None) else metres(node_tolerance,
                                                                          "node_tolerance")
    opt.default_speed_kmh = float(default_speed_kmh)
    opt.min_component_nodes = int(min_component_nodes)
    for name, value in (("class_field", class_field), ("oneway_field", oneway_field),
                        ("speed_field", speed_field), ("crs", crs_text(crs))):
        if value is not None:
            keep.append(ffi.new("char[]", encode(value)))
            setattr(opt, name, keep[-1])
    return opt


def _oneway_codes(values, label):
    codes = np.zeros(len(values), dtype=np.int8)
    for i, v in enumerate(values):
        key = "" if v is None or (isinstance(v, float) and v != v) else str(v).strip().upper()
        if key not in _ONEWAY:
            raise ValueError(f"{label}: row {i}: field oneway: {v!r} is not F, T, B, yes, no, "
                             "1, -1 or 0")
        codes[i] = _ONEWAY[key]
    return codes


def read_network(source, *, class_field=None, oneway_field=None, speed_field=None, crs=None,
                 node_tolerance="1m", default_speed_kmh=30.0, min_component_nodes=0,
                 snap_to="routable", level_field=None, ctx=None):
    """A road network from a line layer: a shapefile, GeoJSON,
    newline-delimited GeoJSON (``.ndjson``, ``.geojsonl``; gzip too),
    GeoPackage, or a GeoDataFrame of lines.

    Lines are noded where they share a vertex (interior vertices too); a
    free line end within ``node_tolerance`` of another line joins its
    nearest point, never across a bridge/tunnel level (see
    :meth:`Network.joins` and :meth:`Network.repair_report`).

    Parameters
    ----------
    source : path or geopandas.GeoDataFrame
        A line shapefile (read by libcoverage; the .dbf may be missing), a
        GeoJSON, GeoJSONSeq or GeoPackage file (read in bulk, see
        ``zaitaku._roads_io``: classes from ``fclass``, OpenMapTiles
        ``class`` with ``ramp`` as ``<class>_link``, or ``highway``; levels
        from ``brunnel`` or ``bridge``/``tunnel``), another vector file
        geopandas reads, or LineString / MultiLineString rows (CRS from the
        frame).
    class_field, oneway_field, speed_field : str, optional
        Road class, one-way rule (F forward, T backward, B both; also
        yes/no/1/-1) and speed in km/h (0 or empty: unknown). By default the
        Geofabrik fields ``fclass``, ``oneway``, ``maxspeed`` when present;
        ``""`` means none. A field named explicitly must exist.
    crs : str, int or pyproj.CRS, optional
        CRS of the coordinates when the file has no .prj (or to override it).
    node_tolerance : str or float
        e.g. ``"1m"``; 0 joins only identical vertices.
    default_speed_kmh : float
        Speed of edges without a class (attribute-less layers).
    min_component_nodes : int
        Components with fewer nodes are dropped (0 keeps all).
    snap_to : {"routable", "any"}
        Where facilities and demand points attach: ``"routable"`` (default),
        the nearest edge of the largest strongly connected component, so that
        no point lands on a fragment that reaches nothing (points moved off
        a fragment are counted: ``moved_off_fragment`` in :meth:`Network.snap`);
        ``"any"``, the nearest edge whatever its component.
    level_field : str, optional
        The bridge/tunnel field of GeoJSON and GeoPackage layers (values
        ``bridge``, ``tunnel``); by default ``brunnel``, else the flags
        ``bridge`` and ``tunnel`` (T/F, yes/no), which are also what a
        shapefile's levels come from; ``""`` means none.

    Returns
    -------
    Network

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> roads = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (1000, 0), (1000, 500)]),
    ...                                    shapely.LineString([(1000, 0), (2000, 0)])],
    ...                          crs="EPSG:6680")
    >>> net = read_network(roads)
    >>> net.n_nodes, net.n_edges
    (4, 3)
    """
    import pandas as pd

    ctx = ctx or _core.context()
    keep = []
    if _is_path(source) and _suffix(source) == ".shp":
        opt = _options(class_field, oneway_field, speed_field, crs, node_tolerance,
                       default_speed_kmh, min_component_nodes, snap_to, keep)
        if level_field == "":  # no level flags (Geofabrik `bridge`/`tunnel` by default)
            keep.append(ffi.new("char[]", b""))
            opt.bridge_field = opt.tunnel_field = keep[-1]
        elif level_field is not None:
            raise ValueError("level_field: a shapefile's levels come from its bridge and "
                             "tunnel flags (Geofabrik); give \"\" for none")
        ptr = call(ctx, lib.cov_network_read_shp, encode_path(source), opt,
                   progress="reading roads")
        return Network(ctx, ptr, os.fsdecode(source))
    if _is_path(source) and _roads_io.handles(source):
        rl = _roads_io.read_road_lines(source, class_field=class_field,
                                       oneway_field=oneway_field, speed_field=speed_field,
                                       level_field=level_field)
        opt = _options(None, None, None, crs if crs is not None else rl.crs, node_tolerance,
                       default_speed_kmh, min_component_nodes, snap_to, keep)
        net = Network(ctx, _roads_io.network_from_lines(ctx, rl, opt, keep), str(source))
        net._line_feature = rl.feature
        return net
    frame, label = _as_frame(source)
    if not hasattr(frame, "geometry"):
        raise TypeError("read_network needs a path or a GeoDataFrame of lines")
    if crs is None and frame.crs is None:
        raise ValueError("the road lines have no CRS: give crs=")
    crs = crs if crs is not None else frame.crs

    def column(name, default):
        field = default if name is None else name
        if not field:
            return None
        if field not in frame.columns:
            if name is None:
                return None
            from .errors import FieldError

            raise FieldError(f"{label}: no field {field!r} (fields: {list(frame.columns)})",
                             code=lib.COV_ERR_FIELD, status="COV_ERR_FIELD")
        return frame[field].tolist()

    classes = column(class_field, "fclass")
    oneway = column(oneway_field, "oneway")
    speed = column(speed_field, "maxspeed")
    import shapely

    geoms = frame.geometry.to_numpy()
    if len(geoms) and (shapely.is_missing(geoms).any() or
                       ~np.isin(shapely.get_type_id(geoms), [1, 5]).all()):
        bad = int(np.flatnonzero(shapely.is_missing(geoms) |
                                 ~np.isin(shapely.get_type_id(geoms), [1, 5]))[0])
        raise ValueError(f"{label}: row {bad}: geometry is not a LineString or MultiLineString")
    wkbs = [bytes(b) for b in shapely.to_wkb(geoms)] if len(geoms) else []
    n = len(wkbs)
    bufs = [ffi.from_buffer(b) for b in wkbs]
    wkb_arr = ffi.new("const unsigned char *[]", bufs or 1)
    sizes = ffi.new("size_t[]", [len(b) for b in wkbs] or 1)
    c_classes = cstrings([None if c is None or c != c else str(c) for c in classes], keep) \
        if classes is not None else ffi.NULL
    c_oneway = ffi.NULL
    if oneway is not None:
        codes = _oneway_codes(oneway, label)
        keep.append(codes)
        c_oneway = ffi.cast("const int8_t *", ffi.from_buffer(codes))
    c_speed = ffi.NULL
    if speed is not None:
        arr, c_speed = doubles(pd.to_numeric(pd.Series(speed), errors="coerce").to_numpy())
        keep.append(arr)
    opt = _options("", "", "", crs, node_tolerance, default_speed_kmh, min_component_nodes,
                   snap_to, keep)
    ptr = call(ctx, lib.cov_network_from_wkb, n, wkb_arr, sizes, c_classes, c_oneway, c_speed,
               opt, progress="building the road graph")
    del bufs
    return Network(ctx, ptr, label)


def travel_struct(metric, winter, snap_max_m=None, access_speed_kmh=None, buffer_m=None):
    """A ``cov_travel *`` (cffi) for "distance" or "time", a season and the
    road settings given (the others keep cov_travel_init()'s defaults)."""
    t = ffi.new("cov_travel *")
    lib.cov_travel_init(t)
    t.metric = lib.COV_TRAVEL_TIME if metric == "time" else lib.COV_TRAVEL_DISTANCE
    t.winter = 1 if winter else 0
    if snap_max_m is not None:
        t.snap_max_m = snap_max_m
    if access_speed_kmh is not None:
        t.access_speed_kmh = access_speed_kmh
    if buffer_m is not None:
        t.isochrone_buffer_m = buffer_m
    return t


class Network(_Wrapped):
    """A road graph (nodes in JGD2011 lon/lat, edges with geodesic lengths,
    road class, one-way rule and speed). Made by :func:`read_network`."""

    _destroy = lib.cov_network_destroy

    @property
    def n_nodes(self):
        return lib.cov_network_node_count(self._ptr)

    @property
    def n_edges(self):
        return lib.cov_network_edge_count(self._ptr)

    @property
    def n_components(self):
        return lib.cov_network_component_count(self._ptr)

    def _array(self, fn, ctype, dtype, n):
        if n == 0:
            return np.empty(0, dtype)
        return np.frombuffer(ffi.buffer(ffi.cast(ctype, fn(self._ptr)), np.dtype(dtype).itemsize * n),
                             dtype=dtype).copy()

    def nodes(self):
        """node, lon, lat, component (0 is the largest) as a DataFrame."""
        import pandas as pd

        n = self.n_nodes
        return pd.DataFrame({
            "node": np.arange(n, dtype=np.int64),
            "lon": self._array(lib.cov_network_node_lon, "double *", np.float64, n),
            "lat": self._array(lib.cov_network_node_lat, "double *", np.float64, n),
            "component": self._array(lib.cov_network_node_component, "uint32_t *", np.uint32, n)})

    def components(self):
        """Connected components, largest first: component, n_nodes, n_edges,
        length_km."""
        return Table(self._ctx, call(self._ctx, lib.cov_network_components, self._ptr)).to_frame()

    _line_feature = None  # input feature of each C line, when they differ

    def joins(self):
        """What topology repair joined, one row per free line end: line
        (the input feature or record), end (0 first point, 1 last),
        target_line, gap_m, split (1: the target was split at a new point),
        level, target_level (0 ground, 1 bridge, 2 tunnel), lon, lat."""
        df = Table(self._ctx, call(self._ctx, lib.cov_network_joins, self._ptr)).to_frame()
        if self._line_feature is not None and len(df):
            for col in ("line", "target_line"):
                df[col] = self._line_feature[df[col].to_numpy()]
        return df

    def repair_report(self):
        """The repair in one row: node_tolerance_m, n_lines, n_free_ends,
        n_joins, n_splits, n_refused_level (ends left free because only a
        line of another level was near), largest_gap_m, n_components,
        largest_share_length. With :meth:`components` (largest first, with
        nodes and length) it says what fell off."""
        return Table(self._ctx, call(self._ctx, lib.cov_network_repair_report,
                                     self._ptr)).to_frame()

    def classes(self):
        """Road classes with n_edges, length_km, speed_kmh, winter_factor."""
        return Table(self._ctx, call(self._ctx, lib.cov_network_classes, self._ptr)).to_frame()

    def set_speed(self, road_class, speed_kmh):
        """Sets a class's speed in km/h ("" or None: edges without class; 0 closes it)."""
        call(self._ctx, lib.cov_network_set_speed, self._ptr, encode(road_class or ""),
             float(speed_kmh), returns="status")

    def set_winter_factor(self, road_class, factor):
        """Sets a class's winter speed multiplier, in (0, 1]."""
        call(self._ctx, lib.cov_network_set_winter_factor, self._ptr, encode(road_class or ""),
             float(factor), returns="status")

    def _travel(self, limit, winter=False, snap_max="1km", buffer="100m"):
        """(cov_travel, threshold value) for a threshold as users write it."""
        metric, value = threshold(limit, "threshold")
        return travel_struct(metric, winter, snap_max_m=metres(snap_max, "snap_max"),
                             buffer_m=metres(buffer, "buffer")), value

    def edge_costs(self, threshold="16km", winter=False):
        """Cost of each edge both ways (metres for a distance threshold,
        seconds for a time one, whatever its value; inf where closed) as
        arrays (forward, backward)."""
        t, _ = self._travel(threshold, winter)
        n = self.n_edges
        fwd, bwd = np.empty(n), np.empty(n)
        call(self._ctx, lib.cov_network_edge_costs, self._ptr, t,
             ffi.cast("double *", ffi.from_buffer(fwd)),
             ffi.cast("double *", ffi.from_buffer(bwd)), returns="status")
        return fwd, bwd

    def edges(self, winter=False):
        """One row per edge: edge, from_node, to_node, length_m, the forward
        and backward cost in metres (inf where one-way closes it) and in
        seconds; geometry is the straight line between the end nodes
        (EPSG:6668): the C API does not expose the edges' shapes."""
        import geopandas as gpd
        import shapely

        n = self.n_edges
        a = self._array(lib.cov_network_edge_from, "uint32_t *", np.uint32, n).astype(np.int64)
        b = self._array(lib.cov_network_edge_to, "uint32_t *", np.uint32, n).astype(np.int64)
        nodes = self.nodes()
        fm, bm = self.edge_costs("1km", winter)
        fs, bs = self.edge_costs("1h", winter)
        xy = nodes[["lon", "lat"]].to_numpy()
        lines = shapely.linestrings(np.stack([xy[a], xy[b]], axis=1)) if n else []
        return gpd.GeoDataFrame({
            "edge": np.arange(n, dtype=np.int64), "from_node": a, "to_node": b,
            "length_m": self._array(lib.cov_network_edge_length_m, "double *", np.float64, n),
            "forward_m": fm, "backward_m": bm, "forward_s": fs, "backward_s": bs},
            geometry=list(lines), crs="EPSG:6668")

    def snap(self, lon, lat, snap_max="1km"):
        """Where points attach: index, edge, offset_m, snap_distance_m,
        snapped, moved_off_fragment (1: the nearest road is a fragment, so
        the point attached to the routable component instead, see
        ``snap_to`` of :func:`read_network`) and the snap point
        (GeoDataFrame, EPSG:6668)."""
        lon_a, c_lon = doubles(lon)
        lat_a, c_lat = doubles(lat)
        if lon_a.shape != lat_a.shape:
            raise ValueError("lon and lat must have the same length")
        return Table(self._ctx, call(self._ctx, lib.cov_network_snap, self._ptr, len(lon_a),
                                     c_lon, c_lat, metres(snap_max, "snap_max"))).to_frame()

    def shortest(self, sources, threshold, winter=False, snap_max="1km"):
        """Bounded multi-source search from points.

        Parameters
        ----------
        sources : array-like of (lon, lat), or shapely points / GeoSeries
            In lon/lat (a GeoSeries is converted to EPSG:6668).
        threshold : str
            How far to search: ``"16km"`` (metres along roads) or
            ``"30min"`` (seconds).
        winter : bool
            Time only: apply the winter speed factors.

        Returns
        -------
        pandas.DataFrame
            node, cost (metres or seconds from the nearest source; inf beyond
            the threshold), source (its index, -1 then).
        """
        import pandas as pd

        lon, lat = _lonlat(sources)
        lon_a, c_lon = doubles(lon)
        lat_a, c_lat = doubles(lat)
        t, value = self._travel(threshold, winter, snap_max)
        n = self.n_nodes
        cost = np.empty(n)
        src = np.empty(n, dtype=np.int64)
        call(self._ctx, lib.cov_network_node_costs, self._ptr, len(lon_a), c_lon, c_lat, t, value,
             ffi.cast("double *", ffi.from_buffer(cost)),
             ffi.cast("int64_t *", ffi.from_buffer(src)), returns="status", progress="search")
        return pd.DataFrame({"node": np.arange(n, dtype=np.int64), "cost": cost, "source": src})

    def node_search(self, nodes, threshold, winter=False, multi=False):
        """Bounded searches from graph nodes (no snapping, no access leg),
        for graph tools and comparisons with other routers: one per source,
        or with ``multi`` one from all together. A DataFrame of
        source_index (into ``nodes``), node, cost (metres or seconds), in
        the order nodes were reached."""
        idx = np.ascontiguousarray(nodes, dtype=np.int64)
        t, value = self._travel(threshold, winter)
        ptr = call(self._ctx, lib.cov_network_node_search, self._ptr, len(idx),
                   ffi.cast("const int64_t *", ffi.from_buffer(idx)), t, value,
                   1 if multi else 0, progress="search")
        return Table(self._ctx, ptr).to_frame()

    def isochrones(self, facilities, threshold, buffer="50m", by="facility", winter=False,
                   snap_max="1km"):
        """Service-area polygons: reached parts of edges buffered by
        ``buffer`` (GeoDataFrame, EPSG:6668); ``by`` is "facility" or "kind"."""
        modes = {"facility": lib.COV_ISOCHRONE_BY_FACILITY, "kind": lib.COV_ISOCHRONE_BY_KIND}
        if by not in modes:
            raise ValueError(f"by must be 'facility' or 'kind', not {by!r}")
        t, value = self._travel(threshold, winter, snap_max, buffer)
        return Table(self._ctx, call(self._ctx, lib.cov_network_isochrones, self._ptr,
                                     facilities._ptr, t, value, modes[by],
                                     progress="isochrones")).to_frame()

    def __repr__(self):
        return (f"<Network: {self.n_nodes} nodes, {self.n_edges} edges, "
                f"{self.n_components} components>")


def _lonlat(points):
    import shapely

    if hasattr(points, "to_crs") and getattr(points, "crs", None) is not None:
        points = points.to_crs("EPSG:6668")
    if hasattr(points, "geometry"):
        points = points.geometry
    arr = np.asarray(points, dtype=object) if not isinstance(points, np.ndarray) else points
    if arr.dtype == object and len(arr) and isinstance(arr.flat[0], shapely.Geometry):
        xy = shapely.get_coordinates(arr)
        return xy[:, 0], xy[:, 1]
    xy = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return xy[:, 0], xy[:, 1]


def road_grid(area, spacing="2km", major_every=5, clip=True):
    """A synthetic road grid over ``area``: north-south and east-west roads
    every ``spacing``, every ``major_every``-th one a ``secondary`` road
    (35 km/h by default) and the rest ``residential`` (20 km/h). Each road
    has a vertex at every crossing, so the roads are noded there.

    For trying the network analysis where no road layer is at hand, and
    for tests; it is no substitute for real roads.

    Parameters
    ----------
    area : GeoDataFrame, GeoSeries or shapely geometry (lon/lat)
        The grid covers its bounds; with ``clip`` the roads are cut to it
        (an island then gets its own roads, unconnected to the mainland).
    spacing : str or float
        Distance between parallel roads.

    Returns
    -------
    geopandas.GeoDataFrame
        fclass and LineString / MultiLineString geometry, EPSG:6668.
    """
    import geopandas as gpd
    import shapely

    if hasattr(area, "to_crs") and getattr(area, "crs", None) is not None:
        area = area.to_crs("EPSG:6668")
    geom = shapely.union_all(np.asarray(getattr(area, "geometry", area), dtype=object).ravel()) \
        if not isinstance(area, shapely.Geometry) else area
    west, south, east, north = geom.bounds
    step = metres(spacing, "spacing")
    lat_mid = np.radians((south + north) / 2)
    dlat = step / 111_132.0
    dlon = step / (111_320.0 * np.cos(lat_mid))
    lons = np.arange(west, east + dlon, dlon)
    lats = np.arange(south, north + dlat, dlat)
    rows, classes = [], []
    for i, lon in enumerate(lons):
        rows.append(shapely.LineString(np.column_stack([np.full(len(lats), lon), lats])))
        classes.append("secondary" if i % major_every == 0 else "residential")
    for j, lat in enumerate(lats):
        rows.append(shapely.LineString(np.column_stack([lons, np.full(len(lons), lat)])))
        classes.append("secondary" if j % major_every == 0 else "residential")
    frame = gpd.GeoDataFrame({"fclass": classes}, geometry=rows, crs="EPSG:6668")
    if clip:
        frame["geometry"] = frame.geometry.intersection(geom)
        frame = frame[~frame.geometry.is_empty].copy()
        # a line touching the area in a point only is no road
        frame = frame[frame.geometry.geom_type.isin(["LineString", "MultiLineString"])
                      | (frame.geometry.geom_type == "GeometryCollection")]
        frame["geometry"] = [g if g.geom_type != "GeometryCollection" else
                             shapely.MultiLineString([p for p in g.geoms
                                                      if p.geom_type == "LineString"])
                             for g in frame.geometry]
        frame = frame[~frame.geometry.is_empty].reset_index(drop=True)
    return frame


def sample_road_grid(spacing="2km"):
    """The network of a synthetic road grid over the bundled sample's land
    (see :func:`road_grid`), for trying :meth:`Analysis.with_network`.

    Examples
    --------
    >>> import zaitaku
    >>> net = zaitaku.sample_road_grid()
    >>> net.n_components >= 2  # the island has its own roads
    True
    """
    import geopandas as gpd

    from .sample import sample_path

    land = gpd.read_file(sample_path("municipalities.shp"))
    return read_network(road_grid(land, spacing))
