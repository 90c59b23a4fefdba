"""Road networks from Python: distances against networkx on graphs built
independently (random lines in a metre CRS, and the Osaka Abeno OSM layer
read with pyogrio), one-way rules, components and bad input."""
import os
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer

import zaitaku

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("COV_SHARED_DATA", ROOT.parent / "shared" / "data"))
OSAKA = DATA / "raw/roads-osaka-abeno-osm2025/osaka_abeno_overpass_20250616_roads_geofabrik_schema.shp"
GEOD = Geod(ellps="GRS80")
RTOL = 1e-6


def geodesic_length(lonlat):
    return GEOD.line_length(lonlat[:, 0], lonlat[:, 1])


def add_line(g, coords_ll, oneway):
    """Edges of a polyline between consecutive vertices, keyed by rounded
    lon/lat, honouring F (along), T (against), B (both)."""
    keys = [tuple(np.round(p, 9)) for p in coords_ll]
    for a, b, p, q in zip(keys[:-1], keys[1:], coords_ll[:-1], coords_ll[1:]):
        w = geodesic_length(np.array([p, q]))
        for u, v, ok in ((a, b, oneway in "FB"), (b, a, oneway in "TB")):
            if ok and a != b and (not g.has_edge(u, v) or g[u][v]["weight"] > w):
                g.add_edge(u, v, weight=w)


def compare_from(net, g, sources_ll, cutoff_m=None):
    nodes = net.nodes()
    ours = net.shortest(sources_ll, f"{cutoff_m or 1e6}m")
    keys = [tuple(np.round(p, 9)) for p in nodes[["lon", "lat"]].to_numpy()]
    src = [tuple(np.round(p, 9)) for p in np.asarray(sources_ll)]
    ref = nx.multi_source_dijkstra_path_length(g, set(src))
    checked = 0
    for k, cost in zip(keys, ours["cost"].to_numpy()):
        want = ref.get(k, np.inf)
        if cutoff_m is not None and want > cutoff_m:
            if abs(want - cutoff_m) > RTOL * cutoff_m:
                assert cost == np.inf, (k, cost, want)
            continue
        if np.isinf(want):
            assert cost == np.inf, (k, cost)
        else:
            assert cost == pytest.approx(want, rel=RTOL, abs=1e-6), k
            checked += 1
    return checked


def random_lines(rng, n_points=120, n_lines=260):
    """Random polylines between jittered grid points (EPSG:6680), each with
    a bend vertex of its own; every third is one-way."""
    side = int(np.ceil(np.sqrt(n_points)))
    xy = np.array([(i * 200.0, j * 200.0) for i in range(side) for j in range(side)])[:n_points]
    xy += rng.uniform(-60, 60, xy.shape)
    lines, ways = [], []
    for _ in range(n_lines):
        a, b = rng.choice(n_points, 2, replace=False)
        mid = (xy[a] + xy[b]) / 2 + rng.uniform(-40, 40, 2)
        lines.append(shapely.LineString([xy[a], mid, xy[b]]))
        ways.append(rng.choice(["B", "B", "F", "T"]))
    return gpd.GeoDataFrame({"oneway": ways}, geometry=lines, crs="EPSG:6680"), xy


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_graph_distances_equal_networkx(seed):
    rng = np.random.default_rng(seed)
    roads, xy = random_lines(rng)
    net = zaitaku.read_network(roads, node_tolerance=0)
    to_ll = Transformer.from_crs("EPSG:6680", "EPSG:6668", always_xy=True)
    g = nx.DiGraph()
    for geom, way in zip(roads.geometry, roads.oneway):
        c = np.column_stack(to_ll.transform(*np.asarray(geom.coords).T))
        add_line(g, c, way)
    # Sources at our nodes' exact coordinates, so the access legs are zero.
    nodes = net.nodes()[["lon", "lat"]].to_numpy()
    sources = nodes[rng.choice(len(nodes), 3, replace=False)]
    assert compare_from(net, g, sources) > len(nodes) // 3
    assert compare_from(net, g, sources, cutoff_m=600.0) > 3


def test_oneway_closes_one_direction():
    line = shapely.LineString([(0, 0), (1000, 0)])
    for way, from_start, from_end in (("F", True, False), ("T", False, True), ("B", True, True)):
        net = zaitaku.read_network(gpd.GeoDataFrame({"oneway": [way]}, geometry=[line],
                                                    crs="EPSG:6680"))
        ends = net.nodes()[["lon", "lat"]].to_numpy()
        length = geodesic_length(ends)
        for start, expect in ((0, from_start), (1, from_end)):
            cost = net.shortest(ends[start:start + 1], "5km")["cost"].to_numpy()[1 - start]
            assert (cost == pytest.approx(length, rel=RTOL)) if expect else cost == np.inf


def test_components_count_nodes_edges_and_length():
    a = shapely.LineString([(0, 0), (1000, 0), (1000, 1000)])
    b = shapely.LineString([(1000, 0), (2000, 0)])
    c = shapely.LineString([(5000, 5000), (5300, 5400)])  # a fragment, 500 m
    net = zaitaku.read_network(gpd.GeoDataFrame(geometry=[a, b, c], crs="EPSG:6680"))
    comp = net.components()
    assert comp["n_nodes"].tolist() == [4, 2]
    assert comp["n_edges"].tolist() == [3, 1]
    to_ll = Transformer.from_crs("EPSG:6680", "EPSG:6668", always_xy=True)
    lengths = [geodesic_length(np.column_stack(to_ll.transform(*np.asarray(g.coords).T)))
               for g in (a, b, c)]
    assert comp["length_km"].tolist() == pytest.approx([(lengths[0] + lengths[1]) / 1000,
                                                        lengths[2] / 1000], rel=1e-9)


def test_bad_oneway_names_row_and_field():
    roads = gpd.GeoDataFrame({"oneway": ["B", "sideways"]},
                             geometry=[shapely.LineString([(0, 0), (1, 1)])] * 2, crs="EPSG:6680")
    with pytest.raises(ValueError, match=r"row 1: field oneway: 'sideways'"):
        zaitaku.read_network(roads)


def test_points_are_not_roads():
    roads = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs="EPSG:6680")
    with pytest.raises(ValueError, match="row 0: geometry is not a LineString"):
        zaitaku.read_network(roads)


def test_lines_without_crs_are_refused():
    with pytest.raises(ValueError, match="no CRS"):
        zaitaku.read_network(gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (1, 1)])]))


@pytest.mark.skipif(not OSAKA.exists(), reason=f"real data absent: {OSAKA} (set COV_SHARED_DATA)")
def test_osaka_osm_distances_equal_networkx():
    """The Osaka Abeno OSM layer: our shapefile reader and graph against a
    networkx graph built here from pyogrio's reading of the same file."""
    import pyogrio

    df = pyogrio.read_dataframe(OSAKA)
    g = nx.DiGraph()
    for geom, way in zip(df.geometry, df.oneway.fillna("B")):
        parts = geom.geoms if geom.geom_type == "MultiLineString" else [geom]
        for part in parts:
            add_line(g, np.asarray(part.coords), way)
    net = zaitaku.read_network(OSAKA, node_tolerance=0)
    nodes = net.nodes()
    big = nodes[nodes.component == 0][["lon", "lat"]].to_numpy()
    rng = np.random.default_rng(4)
    for _ in range(3):
        src = big[rng.choice(len(big), 1)]
        assert compare_from(net, g, src, cutoff_m=1500.0) > 100
