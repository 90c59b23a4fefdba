"""Reach from Sapporo's visiting-nurse stations on the city's road layer
(geometry only, EPSG:2454), checked against an independent networkx graph
built from the shapefile with pyogrio, shapely and pyproj (stations snapped
with shapely), and against the straight line as a lower bound. Skipped when
the shared data is absent."""
import json
import os
import warnings
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod, Transformer

import zaitaku

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("COV_SHARED_DATA", ROOT.parent / "shared" / "data"))
ROADS = DATA / "raw/roads-sapporo-authorized-road-geomonly/sapporo_authorized_road_202111.shp"
STATIONS = DATA / "raw/visiting_nursing_stations_mhlw_kaigo_osawa/clinics_geo.json"
GEOD = Geod(ellps="GRS80")

pytestmark = pytest.mark.skipif(not ROADS.exists() or not STATIONS.exists(),
                                reason=f"shared data absent ({DATA}; set COV_SHARED_DATA)")


@pytest.fixture(scope="module")
def sapporo():
    roads = gpd.read_file(ROADS)  # no .dbf: geometry only
    to_ll = Transformer.from_crs("EPSG:2454", "EPSG:6668", always_xy=True)
    lon0, lat0 = to_ll.transform(*roads.total_bounds[:2])
    lon1, lat1 = to_ll.transform(*roads.total_bounds[2:])
    st = pd.DataFrame(json.loads(STATIONS.read_text(encoding="utf-8")))
    st = st[st.id.str.startswith("01") & st.n.str.contains("訪問看護") &
            st.lg.between(lon0, lon1) & st["lt"].between(lat0, lat1)].reset_index(drop=True)
    return roads, st


def nx_graph(roads):
    """Every vertex a node (exact EPSG:2454 coordinates), every segment an
    edge of geodesic length: junctions share vertices in this layer."""
    to_ll = Transformer.from_crs("EPSG:2454", "EPSG:6668", always_xy=True)
    g = nx.Graph()
    segs = []
    for geom in roads.geometry:
        parts = geom.geoms if geom.geom_type == "MultiLineString" else [geom]
        for line in parts:
            xy = np.asarray(line.coords)[:, :2]
            lon, lat = to_ll.transform(xy[:, 0], xy[:, 1])
            for k in range(len(xy) - 1):
                a, b = tuple(xy[k]), tuple(xy[k + 1])
                if a == b:
                    continue
                w = GEOD.line_length([lon[k], lon[k + 1]], [lat[k], lat[k + 1]])
                if not g.has_edge(a, b) or g[a][b]["weight"] > w:
                    g.add_edge(a, b, weight=w)
                segs.append((a, b, w))
    return g, segs


def attach(g, segs, tree, lines, name, x, y):
    """Adds node `name` joined to the ends of its nearest segment (access leg
    plus the geodesic part of the segment); None on a near tie."""
    p = shapely.Point(x, y)
    idx = tree.query(p, predicate="dwithin", distance=1000)
    if len(idx) == 0:
        return None
    d = shapely.distance(lines[idx], p)
    order = np.argsort(d)
    k = idx[order[0]]
    if len(order) > 1 and d[order[1]] - d[order[0]] < 0.01 and \
            shapely.ops.nearest_points(lines[idx[order[1]]], p)[0].distance(
                shapely.ops.nearest_points(lines[k], p)[0]) > 0.01:
        return None
    a, b, w = segs[k]
    f = lines[k].project(p, normalized=True)
    g.add_edge(name, a, weight=d[order[0]] + f * w)
    g.add_edge(name, b, weight=d[order[0]] + (1 - f) * w)
    return d[order[0]]


def test_reach_from_sapporo_stations_equals_networkx(sapporo):
    roads, st = sapporo
    assert len(st) > 100  # Sapporo has about 250 stations in this list
    net = zaitaku.read_network(ROADS, node_tolerance=0)
    assert net.n_components > 1  # the layer has fragments (SOURCE.md)
    # three stations give care; eight others stand for patients
    rng = np.random.default_rng(7)
    pick = rng.choice(len(st), 11, replace=False)
    fac = st.iloc[pick[:3]].rename(columns={"id": "facility_id", "lg": "lon", "lt": "lat"})
    fac = fac.assign(kind="nursing")
    pts = st.iloc[pick[3:]]
    box = shapely.box(st.lg.min() - 0.05, st["lt"].min() - 0.05, st.lg.max() + 0.05,
                      st["lt"].max() + 0.05)
    regions = zaitaku.read_regions(gpd.GeoDataFrame({"rid": ["札幌市"]}, geometry=[box],
                                                    crs="EPSG:6668"), "rid")
    demand = zaitaku.read_demand(pd.DataFrame({"id": pts.id, "lon": pts.lg, "lat": pts["lt"],
                                               "w": 1.0}),
                                 id_field="id", lon_field="lon", lat_field="lat",
                                 weight_fields=["w"])
    facilities = zaitaku.read_facilities(fac, kind_field="kind")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an = zaitaku.Analysis(regions, facilities, demand)
        straight = an.reach("nursing", "100km").set_index("demand_id")
        an = an.with_network(net, metric="distance")
        reach = an.reach("nursing", "40km").set_index("demand_id")

    g, segs = nx_graph(roads)
    to_xy = Transformer.from_crs("EPSG:6668", "EPSG:2454", always_xy=True)
    lines = np.array([shapely.LineString([a, b]) for a, b, _ in segs], dtype=object)
    tree = shapely.STRtree(lines)
    for i, row in enumerate(fac.itertuples()):
        attach(g, segs, tree, lines, ("F", i), *to_xy.transform(row.lon, row.lat))
    checked = 0
    for row in pts.itertuples():
        got = reach.loc[row.id]
        h = g.copy()
        if attach(h, segs, tree, lines, "U", *to_xy.transform(row.lg, row.lt)) is None:
            continue
        costs = [nx.shortest_path_length(h, ("F", i), "U", weight="weight")
                 if h.has_node(("F", i)) and nx.has_path(h, ("F", i), "U") else np.inf
                 for i in range(3)]
        want = min(costs)
        if want > 40000:
            assert got.nearest_id == ""
            continue
        print(f"{row.id} {row.n}: {got.nearest_id} {got.distance_m:.1f} m along roads "
              f"(straight {straight.loc[row.id].distance_m:.1f} m)")
        assert got.nearest_id == fac.facility_id.iloc[int(np.argmin(costs))]
        # EPSG:2454's scale factor (0.9999) against the network's own
        # projection changes the access legs by < 1 cm
        assert got.distance_m == pytest.approx(want, rel=1e-6, abs=0.05)
        # a road path is never shorter than the straight line
        assert got.distance_m >= straight.loc[row.id].distance_m * (1 - 1e-6)
        checked += 1
    assert checked >= 5
