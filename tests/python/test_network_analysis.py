"""The analysis along roads, against independent computations: snapping
against shapely's nearest points, isochrones against reached linework
rebuilt with networkx and shapely substrings, and the bundled sample's
network reach and coverage on a synthetic road grid against networkx."""
import warnings

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod, Transformer

import zaitaku
from zaitaku.errors import CoverageWarning

GEOD = Geod(ellps="GRS80")
TO_LL = Transformer.from_crs("EPSG:6680", "EPSG:6668", always_xy=True)
TO_XY = Transformer.from_crs("EPSG:6668", "EPSG:6680", always_xy=True)
# EPSG:6680 is a transverse Mercator with scale 0.9999 on its meridian; the
# network projects in its own CRS: lengths compared across the two agree
# to about 2e-4 relative
SCALE_TOL = 2e-4


def glen(p, q):
    """Geodesic length of a straight piece between lon/lat points."""
    return GEOD.line_length([p[0], q[0]], [p[1], q[1]])


def random_layout(seed, n_points=80, n_lines=160):
    """Two-way polylines in EPSG:6680 between jittered grid points, each with
    a bend vertex of its own, as in test_network.py."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_points)))
    xy = np.array([(i * 250.0, j * 250.0) for i in range(side) for j in range(side)])[:n_points]
    xy += rng.uniform(-70, 70, xy.shape)
    lines = []
    for _ in range(n_lines):
        a, b = rng.choice(n_points, 2, replace=False)
        mid = (xy[a] + xy[b]) / 2 + rng.uniform(-50, 50, 2)
        lines.append(shapely.LineString([xy[a], mid, xy[b]]))
    return gpd.GeoDataFrame(geometry=lines, crs="EPSG:6680"), rng


# ---- snapping ------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 3])
def test_snap_matches_shapely_nearest_point(seed):
    roads, rng = random_layout(seed)
    net = zaitaku.read_network(roads, node_tolerance=0)
    pts = rng.uniform(-400, 2600, (300, 2))
    lon, lat = TO_LL.transform(pts[:, 0], pts[:, 1])
    snapped = net.snap(lon, lat, snap_max="300m")
    lines = roads.geometry.to_numpy()
    checked = 0
    for i, (x, y) in enumerate(pts):
        p = shapely.Point(x, y)
        ds = shapely.distance(lines, p)
        order = np.argsort(ds)
        d = ds[order[0]]
        near = shapely.ops.nearest_points(lines[order[0]], p)[0]
        row = snapped.iloc[i]
        if abs(d - 300) < 1:  # on the cap: either answer is right
            continue
        assert bool(row.snapped) == (d <= 300), (i, d)
        if d > 300:
            continue
        assert row.snap_distance_m == pytest.approx(d, rel=SCALE_TOL, abs=0.01)
        # the snap point is shapely's nearest point, unless another road is
        # as near at another point (a tie either side may take)
        other = shapely.ops.nearest_points(lines[order[1]], p)[0]
        if ds[order[1]] - d < 0.5 and other.distance(near) > 0.05:
            continue
        sx, sy = TO_XY.transform(row.geometry.x, row.geometry.y)
        assert np.hypot(sx - near.x, sy - near.y) < 0.05, i
        checked += 1
    assert checked > 100


# ---- isochrones ----------------------------------------------------------------

def segment_graph(roads):
    """networkx graph with a node per vertex (rounded lon/lat key) and an
    edge per segment weighted by geodesic length; also the segments."""
    g = nx.Graph()
    segs = []
    for line in roads.geometry:
        xy = np.asarray(line.coords)
        lon, lat = TO_LL.transform(xy[:, 0], xy[:, 1])
        ll = np.column_stack([lon, lat])
        for k in range(len(xy) - 1):
            a, b = tuple(np.round(ll[k], 9)), tuple(np.round(ll[k + 1], 9))
            w = glen(ll[k], ll[k + 1])
            g.add_edge(a, b, weight=min(w, g[a][b]["weight"]) if g.has_edge(a, b) else w)
            segs.append((a, b, xy[k], xy[k + 1], w))
    return g, segs


@pytest.mark.parametrize("seed", [4, 5])
def test_isochrone_holds_no_point_beyond_buffer_of_reached_roads(seed):
    roads, rng = random_layout(seed)
    net = zaitaku.read_network(roads, node_tolerance=0)
    g, segs = segment_graph(roads)
    # a facility on a road vertex shared by lines (snap distance 0)
    fx, fy = np.asarray(roads.geometry.iloc[0].coords)[0]
    flon, flat = TO_LL.transform(fx, fy)
    src = tuple(np.round((flon, flat), 9))
    fac = zaitaku.read_facilities(pd.DataFrame({"facility_id": ["F"], "kind": ["nursing"],
                                                "lon": [flon], "lat": [flat]}),
                                  kind_field="kind")
    cutoff, buffer = 900.0, 40.0
    iso = net.isochrones(fac, f"{cutoff}m", buffer=f"{buffer}m")
    poly = iso.to_crs("EPSG:6680").geometry.iloc[0]
    dist = nx.single_source_dijkstra_path_length(g, src, cutoff=cutoff * 1.01)
    pieces = []
    for a, b, pa, pb, w in segs:
        line = shapely.LineString([pa, pb])
        for start, end, frac_from in ((a, pa, 0.0), (b, pb, 1.0)):
            left = cutoff - dist.get(start, np.inf)
            if left <= 0:
                continue
            f = min(1.0, left / w) if w > 0 else 1.0
            lo, hi = (0.0, f) if frac_from == 0.0 else (1.0 - f, 1.0)
            pieces.append(shapely.ops.substring(line, lo, hi, normalized=True))
    reached = shapely.union_all(pieces)
    assert not poly.is_empty and not reached.is_empty
    # every sampled point of the polygon lies within the buffer of the
    # reached linework (GEOS's round caps are chords: inside the circle)
    minx, miny, maxx, maxy = poly.bounds
    pts = shapely.points(rng.uniform(minx, maxx, 20000), rng.uniform(miny, maxy, 20000))
    inside = pts[shapely.contains(poly, pts)]
    assert len(inside) > 500
    d = shapely.distance(inside, reached)
    assert d.max() <= buffer * (1 + SCALE_TOL) + 0.05
    # and the reached linework is inside the polygon
    mids = [p.interpolate(0.5, normalized=True) for p in pieces if p.length > 0]
    assert all(poly.buffer(0.05).contains(m) for m in mids)


# ---- the bundled sample on a synthetic grid --------------------------------------

SPEED = {"secondary": 35.0, "residential": 20.0}
ACCESS_KMH = 15.0
TM = "+proj=tmerc +lat_0=40 +lon_0=136.7 +k=1 +x_0=0 +y_0=0 +ellps=GRS80 +units=m"


@pytest.fixture(scope="module")
def sample_grid():
    land = gpd.read_file(zaitaku.sample_path("municipalities.shp"))
    roads = zaitaku.road_grid(land, "2km")
    return roads


def grid_graph(roads, winter=False):
    """Time-weighted networkx graph of the grid and its segments (TM
    metres) with their lon/lat ends, class speed and key."""
    g = nx.Graph()
    segs = []
    for cls, geom in zip(roads.fclass, roads.geometry):
        v = SPEED[cls]
        if winter:
            v = max(v - 10, v / 2)
        parts = geom.geoms if geom.geom_type == "MultiLineString" else [geom]
        for line in parts:
            ll = np.asarray(line.coords)
            for k in range(len(ll) - 1):
                a, b = tuple(np.round(ll[k], 9)), tuple(np.round(ll[k + 1], 9))
                t = glen(ll[k], ll[k + 1]) * 3.6 / v
                if a != b:
                    g.add_edge(a, b, weight=min(t, g[a][b]["weight"]) if g.has_edge(a, b) else t)
                    segs.append((a, b, ll[k], ll[k + 1], v))
    return g, segs


def snap_points(segs, lon, lat):
    """Nearest segment, the point on it and the distance, in the TM CRS; a
    flag when a second segment is within 1 cm (a tie either side may take)."""
    tm = Transformer.from_crs("EPSG:6668", TM, always_xy=True)
    lines = []
    for a, b, pa, pb, v in segs:
        xa, ya = tm.transform(pa[0], pa[1])
        xb, yb = tm.transform(pb[0], pb[1])
        lines.append(shapely.LineString([(xa, ya), (xb, yb)]))
    tree = shapely.STRtree(lines)
    x, y = tm.transform(np.asarray(lon), np.asarray(lat))
    pts = shapely.points(x, y)
    out = []
    for p in pts:
        idx = tree.query(p, predicate="dwithin", distance=1500.0)
        if len(idx) == 0:
            out.append(None)
            continue
        ds = shapely.distance(np.asarray(lines, dtype=object)[idx], p)
        order = np.argsort(ds)
        k = idx[order[0]]
        tie = len(order) > 1 and ds[order[1]] - ds[order[0]] < 0.01 and \
            not shapely.equals_exact(lines[idx[order[1]]], lines[k], 0)
        frac = lines[k].project(p, normalized=True)
        out.append((k, frac, ds[order[0]], tie))
    return out


def costs_from(g, segs, snap_f, snap_units, cutoff_s):
    """Times from a facility to every unit (inf beyond the cutoff or off
    road): access legs at 15 km/h, roads at their speeds."""
    k, frac, d, _ = snap_f
    a, b, pa, pb, v = segs[k]
    seg_t = glen(pa, pb) * 3.6 / v
    acc = d * 3.6 / ACCESS_KMH
    g2 = g.copy()
    g2.add_edge("F", a, weight=acc + frac * seg_t)
    g2.add_edge("F", b, weight=acc + (1 - frac) * seg_t)
    dist = nx.single_source_dijkstra_path_length(g2, "F", cutoff=cutoff_s * 1.5)
    out = np.full(len(snap_units), np.inf)
    for i, su in enumerate(snap_units):
        if su is None or su[2] > 1000.0:
            continue
        ku, fu, du, _ = su
        ua, ub, upa, upb, uv = segs[ku]
        ut = glen(upa, upb) * 3.6 / uv
        c = min(dist.get(ua, np.inf) + fu * ut, dist.get(ub, np.inf) + (1 - fu) * ut)
        if ku == k:
            c = min(c, acc + abs(fu - frac) * seg_t)
        out[i] = c + du * 3.6 / ACCESS_KMH
    return out


@pytest.mark.parametrize("winter", [False, True])
def test_sample_network_reach_and_coverage_equal_networkx(sample_grid, winter):
    cutoff = 1800.0
    an = zaitaku.Analysis.sample()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        net = zaitaku.read_network(sample_grid)
        an = an.with_network(net, metric="time")
        reach = an.reach("nursing", "30min", winter=winter)
        cov = an.coverage("30min", area=False, winter=winter)
    g, segs = grid_graph(sample_grid, winter)
    fac = pd.read_csv(zaitaku.sample_path("facilities.csv"), dtype={"facility_id": str})
    nursing = fac[fac.kind == "nursing"].reset_index(drop=True)
    units = reach[["demand_id"]].copy()
    table = an.demand.to_geodataframe()
    b = table.geometry.bounds  # a mesh cell's point is its centre
    table = table.assign(lon=(b.minx + b.maxx) / 2, lat=(b.miny + b.maxy) / 2,
                         total=an.demand.weights("total"))
    table = table.set_index("demand_id").loc[units.demand_id]
    su = snap_points(segs, table.lon.to_numpy(), table.lat.to_numpy())
    sf = snap_points(segs, nursing.lon.to_numpy(), nursing.lat.to_numpy())
    costs = np.array([costs_from(g, segs, s, su, cutoff) if s and s[2] <= 1000 else
                      np.full(len(su), np.inf) for s in sf])
    near = costs.min(axis=0)
    within = (costs <= cutoff).sum(axis=0)
    border = (np.abs(costs - cutoff) < 1.0).any(axis=0) | np.array([s is not None and s[3]
                                                                     for s in su])
    ok = ~border
    assert ok.sum() > 0.95 * len(ok)
    np.testing.assert_array_equal(reach.n_within.to_numpy()[ok], within[ok])
    hit = ok & (near <= cutoff)
    assert hit.sum() > 500
    np.testing.assert_allclose(reach.time_s.to_numpy()[hit], near[hit], rtol=1e-6, atol=0.05)
    assert reach.nearest_id.to_numpy()[ok & (near > cutoff)].tolist() == \
        [""] * int((ok & (near > cutoff)).sum())
    # coverage of nursing per region: the weight of units within reach
    assign = an.assignment().set_index("demand_id").loc[units.demand_id]
    weights = table["total"].to_numpy()
    for region, row in cov[cov.kind == "nursing"].set_index("region_id").iterrows():
        mine = assign.region_id.to_numpy() == region
        want = weights[mine & (within >= 1)].sum()
        slack = weights[mine & border].sum()
        assert abs(row.demand_covered - want) <= slack + 1e-9, region


def test_winter_never_covers_more_and_reach_rises(sample_grid):
    an = zaitaku.Analysis.sample()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        an = an.with_network(zaitaku.read_network(sample_grid), metric="time")
        summer = an.coverage("30min", area=False)
        winter = an.coverage("30min", area=False, winter=True)
        # the same answers from the winter analysis as a value
        np.testing.assert_array_equal(
            an.with_season(True).coverage("30min", area=False).demand_covered.to_numpy(),
            winter.demand_covered.to_numpy())
        rs = an.reach("nursing", "2h")
        rw = an.reach("nursing", "2h", winter=True)
    assert (winter.demand_covered.to_numpy() <= summer.demand_covered.to_numpy() + 1e-9).all()
    assert winter.demand_covered.sum() < summer.demand_covered.sum()
    both = rs.time_s.notna() & rw.time_s.notna()
    # every road is at least 10 km/h or half slower: no path gets faster
    assert (rw.time_s[both] >= rs.time_s[both] - 1e-6).all()


def test_distance_metric_and_api_errors(sample_grid):
    an = zaitaku.Analysis.sample()
    with pytest.raises(ValueError, match="needs a road network"):
        an.coverage("30min")
    with pytest.raises(ValueError, match="winter=True needs a road network"):
        an.coverage("16km", winter=True)
    with pytest.raises(ValueError, match="straight line"):
        an.unreachable()
    straight = an.coverage("16km", area=False)
    line = an
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        an = line.with_network(zaitaku.read_network(sample_grid))
    assert any("farther than 1000 m from every road" in str(w.message) for w in caught)
    assert line.network is None and line.metric == "straight"  # unchanged
    road = an.coverage("16km", area=False)
    # a road path is never shorter than the straight line (access legs
    # included): nothing is covered along roads that is not in a straight line
    assert (road.demand_covered.to_numpy() <= straight.demand_covered.to_numpy() + 1e-9).all()
    r = an.reach("nursing", "16km")
    assert {"time_s", "snap_distance_m"} <= set(r.columns)
    off = set(an.unreachable().demand_id)
    assert off and r[r.demand_id.isin(off)].snap_distance_m.isna().all()
    assert (r[r.demand_id.isin(off)].n_within == 0).all()
    with pytest.raises(TypeError):
        an.with_network("roads.shp")
    with pytest.raises(TypeError, match="with_network"):
        an.use_network(None)  # removed: it changed what later calls meant
    # the first analysis still answers along the straight line, after the
    # road queries; straight() gives the same from the road analysis
    again = line.coverage("16km", area=False)
    np.testing.assert_array_equal(again.demand_covered.to_numpy(),
                                  straight.demand_covered.to_numpy())
    again = an.straight().coverage("16km", area=False)
    np.testing.assert_array_equal(again.demand_covered.to_numpy(),
                                  straight.demand_covered.to_numpy())


def test_service_areas_along_roads_stay_within_region_and_buffer(sample_grid):
    an = zaitaku.Analysis.sample()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        net = zaitaku.read_network(sample_grid)
        an = an.with_network(net, metric="time", buffer="200m")
        areas = an.service_areas("20min")
        per_fac = an.service_areas("20min", by="facility")
    regions = an.regions.to_geodataframe().set_index("region_id")
    tm = areas.to_crs(TM)
    reg_tm = regions.to_crs(TM)
    for _, row in tm.iterrows():
        # clipped to the region (up to the projections' rounding)
        assert row.geometry.difference(reg_tm.geometry[row.region_id].buffer(1.0)).area < 1.0
    # the union of a kind's isochrones holds no land beyond 200 m of a road
    roads = shapely.union_all(sample_grid.to_crs(TM).geometry.to_numpy())
    nursing = per_fac[per_fac.kind == "nursing"].to_crs(TM)
    rng = np.random.default_rng(3)
    poly = shapely.union_all(nursing.geometry.to_numpy())
    minx, miny, maxx, maxy = poly.bounds
    pts = shapely.points(rng.uniform(minx, maxx, 20000), rng.uniform(miny, maxy, 20000))
    inside = pts[shapely.contains(poly, pts)]
    assert len(inside) > 100
    assert shapely.distance(inside, roads).max() <= 200 * (1 + SCALE_TOL) + 0.5


def test_repeated_polygon_calls_are_copies_of_one_result(sample_grid):
    """gaps() and service_areas() are made once per travel model and
    threshold: a repeated call equals the first and is a copy (changing it
    changes nothing); the analyses derived along roads, in winter and on
    another threshold share the C analysis but never each other's results,
    which equal those of a fresh analysis."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        line = zaitaku.Analysis.sample()
        net = zaitaku.read_network(sample_grid)
        road = line.with_network(net, metric="time", threshold="30min")
        first = line.gaps()
        first.loc[:, "area_km2"] = -1.0
        again = line.gaps()
        assert (again.area_km2 > 0).all()
        winter = road.with_season(True)
        results = {"line": line.gaps(), "line 10km": line.gaps("10km"),
                   "road": road.gaps(), "winter": winter.gaps(),
                   "road 15min": road.gaps("15min")}
        fresh_road = zaitaku.Analysis.sample().with_network(
            zaitaku.read_network(sample_grid), metric="time", threshold="30min")
        fresh = {"line": zaitaku.Analysis.sample().gaps(),
                 "line 10km": zaitaku.Analysis.sample().gaps("10km"),
                 "road": fresh_road.gaps(), "winter": fresh_road.with_season(True).gaps(),
                 "road 15min": fresh_road.gaps("15min")}
        for name, frame in results.items():
            want = fresh[name].set_index(["region_id", "kind"]).area_km2
            got = frame.set_index(["region_id", "kind"]).area_km2
            pd.testing.assert_series_equal(got, want, check_exact=True, obj=name)
        areas = {name: frame.area_km2.sum() for name, frame in results.items()}
        assert len(set(areas.values())) == len(areas)  # five distinct results
        reached = road.service_areas(kind="nursing")
        assert reached.area_km2.tolist() == road.service_areas(kind="nursing").area_km2.tolist()
        assert reached.area_km2.sum() != line.service_areas(kind="nursing").area_km2.sum()
