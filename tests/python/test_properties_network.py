"""Property (hypothesis): on a dense straight road grid the network model
agrees with the straight line, within a stated tolerance (issue 8; the C
version is tests/c/test_analysis_network.c).

The grid is a square lattice in EPSG:6680 (JGD2011 plane rectangular XII,
metres) with horizontal, vertical and diagonal two-way roads. The shortest
road path between lattice points is then the octile distance, which lies
between the straight line and sqrt(4 - 2 sqrt 2) = 1.0824 times it. Units
and facilities sit on lattice points, so there is no access leg. Allowing
2e-3 for the plane's scale (0.9999 on the meridian) against the geodesic:

    geodesic * (1 - 2e-3) <= network <= 1.0824 * geodesic * (1 + 2e-3)

per unit and nearest facility; units in a facility's row or column (on one
straight road) agree to 2e-3; and coverage within r along roads lies
between the straight-line coverage within r / 1.0824 / 1.002 and within
r * 1.002.
"""
import functools
import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer

import zaitaku

pytestmark = pytest.mark.filterwarnings("ignore::zaitaku.CoverageWarning")

N = 25          # lattice points per side
H = 200.0       # spacing in metres
X0, Y0 = -80000.0, -100000.0  # near Sapporo in zone XII
OCT = math.sqrt(4 - 2 * math.sqrt(2))
TOL = 2e-3
GEOD = Geod(ellps="GRS80")
TO_LL = Transformer.from_crs("EPSG:6680", "EPSG:6668", always_xy=True)


def lonlat(i, j):
    return TO_LL.transform(X0 + i * H, Y0 + j * H)


@functools.lru_cache(maxsize=None)
def inputs():
    """Roads, one region around them and a demand unit on every lattice
    point (built once: hypothesis draws only the facilities and radius)."""
    pts = lambda i, j: (X0 + i * H, Y0 + j * H)  # noqa: E731
    lines = []
    for a in range(N):
        for b in range(N - 1):
            lines += [shapely.LineString([pts(b, a), pts(b + 1, a)]),
                      shapely.LineString([pts(a, b), pts(a, b + 1)])]
    for i in range(N - 1):
        for j in range(N - 1):
            lines += [shapely.LineString([pts(i, j), pts(i + 1, j + 1)]),
                      shapely.LineString([pts(i + 1, j), pts(i, j + 1)])]
    roads = gpd.GeoDataFrame(geometry=lines, crs="EPSG:6680")
    box = shapely.box(X0 - 500, Y0 - 500, X0 + N * H + 500, Y0 + N * H + 500)
    regions = zaitaku.read_regions(gpd.GeoDataFrame({"rid": ["R"]}, geometry=[box],
                                                    crs="EPSG:6680"), "rid")
    ij = [(i, j) for j in range(N) for i in range(N)]
    ll = np.array([lonlat(i, j) for i, j in ij])
    demand = zaitaku.read_demand(pd.DataFrame({"id": [f"u{i}_{j}" for i, j in ij],
                                               "lon": ll[:, 0], "lat": ll[:, 1],
                                               "w": 1.0}),
                                 id_field="id", lon_field="lon", lat_field="lat",
                                 weight_fields=["w"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        net = zaitaku.read_network(roads)
    return regions, demand, net, ij, ll


lattice = st.tuples(st.integers(0, N - 1), st.integers(0, N - 1))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sites=st.lists(lattice, min_size=1, max_size=4, unique=True),
       radius=st.floats(min_value=300.0, max_value=4000.0))
def test_network_agrees_with_straight_line_on_a_dense_grid(sites, radius):
    regions, demand, net, ij, ll = inputs()
    fll = np.array([lonlat(i, j) for i, j in sites])
    fac = zaitaku.read_facilities(pd.DataFrame({"facility_id": [f"F{k}" for k in range(len(sites))],
                                                "lon": fll[:, 0], "lat": fll[:, 1],
                                                "kind": "nursing"}), kind_field="kind")
    an = zaitaku.Analysis(regions, fac, demand, radius=radius)

    def covered(r):
        cov = an.coverage(r, area=False)
        return float(cov.loc[cov.kind == "nursing", "demand_covered"].iloc[0])

    lo, hi = covered(radius / OCT / (1 + TOL)), covered(radius * (1 + TOL))
    far = an.reach("nursing", 1e5).set_index("demand_id").loc[[f"u{i}_{j}" for i, j in ij]]
    an = an.with_network(net, metric="distance", snap_max="10m")
    along = covered(radius)
    assert lo <= along <= hi
    road = an.reach("nursing", 1e5).set_index("demand_id").loc[far.index]

    straight, network = far.distance_m.to_numpy(), road.distance_m.to_numpy()
    assert np.isfinite(network).all()
    assert (network >= straight * (1 - TOL)).all()
    assert (network <= straight * OCT * (1 + TOL) + 1e-6).all()
    # the road model's nearest facility, measured independently (pyproj):
    # never nearer than the straight line allows
    f = road.nearest_index.to_numpy()
    to_f = GEOD.inv(ll[:, 0], ll[:, 1], fll[f, 0], fll[f, 1])[2]
    assert (network >= to_f * (1 - TOL)).all()
    # on the facility's own row or column the road is straight: agreement
    fi = np.array([sites[k] for k in f])
    same = (np.array([p[0] for p in ij]) == fi[:, 0]) | (np.array([p[1] for p in ij]) == fi[:, 1])
    assert same.sum() >= len(sites)  # at least the facilities' own points
    np.testing.assert_allclose(network[same], to_f[same], rtol=TOL, atol=1e-6)
