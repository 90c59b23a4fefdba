"""All of Hokkaido's roads (OpenMapTiles z13, ../shared/data): the graph
built from the layer as users get it, the repair checked against the raw
file read here with the standard json module, the published figures of its
SOURCE.md, and shortest paths against networkx on the repaired edges.
Skipped without the shared data."""
import gzip
import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

import zaitaku

SHARED = Path(os.environ.get("COV_SHARED_DATA", Path(__file__).resolve().parents[3] /
                             "shared" / "data"))
ROADS = SHARED / "raw" / "roads-hokkaido-openmaptiles-z13-2017" / \
    "hokkaido_roads_z13_lines.ndjson.gz"
TOL_M = 5.0

pytestmark = pytest.mark.skipif(not ROADS.exists(), reason=f"no shared data: {ROADS} absent")


@pytest.fixture(scope="module")
def net():
    return zaitaku.read_network(ROADS, node_tolerance=f"{TOL_M}m")


@pytest.fixture(scope="module")
def raw():
    """The file's lines (one feature each), undecoded."""
    with gzip.open(ROADS, "rb") as f:
        return [line for line in f.read().split(b"\n") if line.strip()]


def _level(feature):
    b = (feature["properties"].get("brunnel") or "").lower()
    return {"bridge": 1, "tunnel": 2}.get(b, 0)


def test_size_and_published_length(net, raw):
    """SOURCE.md: 413,026 lines, 133,435 km (its length by a spherical
    approximation); ours is geodesic, and the repair adds the gaps it
    closes."""
    assert len(raw) == 413026
    rep = net.repair_report().iloc[0]
    assert rep.n_lines == 413026
    total_km = net.components().length_km.sum()
    gaps_km = net.joins().gap_m.sum() / 1000
    assert total_km - gaps_km == pytest.approx(133435, rel=2e-3)


def test_largest_component_holds_97_percent_of_the_length(net):
    comps = net.components()
    share = comps.length_km.iloc[0] / comps.length_km.sum()
    assert share >= 0.97
    # the same share from the edges and nodes, and from the report
    nodes, edges = net.nodes(), net.edges()
    comp_of_edge = nodes.component.to_numpy()[edges.from_node.to_numpy()]
    own = edges.length_m[comp_of_edge == 0].sum() / edges.length_m.sum()
    assert own == pytest.approx(share, rel=1e-9)
    assert net.repair_report().largest_share_length[0] == pytest.approx(share, rel=1e-9)
    # SOURCE.md: joining free ends within about 5 m gives 98.3 %
    assert share == pytest.approx(0.983, abs=0.005)


def test_no_join_crosses_a_bridge_or_tunnel_level(net, raw):
    joins = net.joins()
    rep = net.repair_report().iloc[0]
    assert len(joins) == rep.n_joins > 100000
    assert (joins.gap_m <= TOL_M + 1e-6).all() and joins.gap_m.max() == rep.largest_gap_m
    cache = {}

    def level(k):
        if k not in cache:
            cache[k] = _level(json.loads(raw[k]))
        return cache[k]

    lines = joins.line.to_numpy()
    targets = joins.target_line.to_numpy()
    mismatched = [i for i in range(len(joins)) if level(lines[i]) != level(targets[i])]
    assert mismatched == []
    # the levels the library reports are the file's
    assert (joins.level.to_numpy() == np.array([level(k) for k in lines])).all()
    # bridges and tunnels were joined among themselves, and some ends refused
    assert (joins.level > 0).sum() > 0 and rep.n_refused_level > 0


def _local_xy(lon, lat, lon0, lat0):
    """Metres east and north of (lon0, lat0), equirectangular on GRS80's
    radii of curvature: exact to about 1e-6 over the few metres of a gap."""
    a, f = 6378137.0, 1 / 298.257222101
    e2 = f * (2 - f)
    s = math.sin(math.radians(lat0))
    n = a / math.sqrt(1 - e2 * s * s)
    m = a * (1 - e2) / (1 - e2 * s * s) ** 1.5
    return (np.radians(np.asarray(lon) - lon0) * n * math.cos(math.radians(lat0)),
            np.radians(np.asarray(lat) - lat0) * m)


def test_join_gaps_equal_the_distance_to_the_target_line(net, raw):
    """A sample of joins: the gap is the distance from the raw line's end to
    the raw target line (a quarter tolerance more where a vertex was taken
    instead of a split), and the join point lies on the target line."""
    joins = net.joins()
    rng = np.random.default_rng(14)
    for i in rng.choice(len(joins), 300, replace=False):
        j = joins.iloc[i]
        line = json.loads(raw[int(j.line)])["geometry"]["coordinates"]
        target = np.array(json.loads(raw[int(j.target_line)])["geometry"]["coordinates"])
        lon0, lat0 = line[-1] if j.end else line[0]
        x, y = _local_xy(target[:, 0], target[:, 1], lon0, lat0)
        ax, ay, bx, by = x[:-1], y[:-1], x[1:], y[1:]
        dx, dy = bx - ax, by - ay
        L2 = dx * dx + dy * dy
        t = np.clip(np.where(L2 > 0, -(ax * dx + ay * dy) / np.where(L2 > 0, L2, 1), 0), 0, 1)
        dist = np.hypot(ax + t * dx, ay + t * dy).min()
        jx, jy = _local_xy(j.lon, j.lat, lon0, lat0)
        assert math.hypot(jx, jy) == pytest.approx(j.gap_m, abs=1e-3)
        if j.split:
            assert j.gap_m == pytest.approx(dist, abs=0.01)
        else:
            assert dist - 0.01 <= j.gap_m <= dist + 0.25 * TOL_M + 0.01
            # the join point is one of the target's vertices
            assert np.hypot(x - jx, y - jy).min() < 0.01


def test_shortest_paths_equal_networkx_on_the_repaired_edges(net):
    nx = pytest.importorskip("networkx")
    edges = net.edges()
    nodes = net.nodes()
    g = nx.DiGraph()
    a, b = edges.from_node.to_numpy(), edges.to_node.to_numpy()
    fwd, bwd = edges.forward_s.to_numpy(), edges.backward_s.to_numpy()

    def add(u, v, w):
        if np.isfinite(w) and (not g.has_edge(u, v) or g[u][v]["w"] > w):
            g.add_edge(u, v, w=w)

    for u, v, f, r in zip(a.tolist(), b.tolist(), fwd.tolist(), bwd.tolist()):
        add(u, v, f)
        add(v, u, r)
    rng = np.random.default_rng(12)
    big = np.flatnonzero(nodes.component.to_numpy() == 0)
    cutoff = 1800.0
    for s in rng.choice(big, 6, replace=False):
        ours = net.node_search([s], "30min")
        ref = nx.single_source_dijkstra_path_length(g, int(s), cutoff=cutoff, weight="w")
        assert set(ours.node.tolist()) == set(ref)
        got = ours.set_index("node").cost.loc[list(ref)].to_numpy()
        want = np.array(list(ref.values()))
        assert np.allclose(got, want, rtol=1e-9, atol=1e-6)
        assert len(ref) > 50
