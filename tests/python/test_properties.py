"""Property-based invariants (hypothesis) of the straight-line analysis, on
the sample's areas and mesh population with generated facilities:

- coverage never decreases when a facility is added or the radius grows;
- results do not depend on the order of facilities or of demand;
- shares stay in [0, 1] (NaN only for an empty total), redundancy <= coverage;
- demand_covered equals an independent computation: geodesic distances from
  pyproj.Geod (not libcoverage's kd-tree) and the analysis's own assignment.

(The network-model invariant of issue 8: test_properties_network.py.)
"""
import functools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod

import zaitaku
from zaitaku import sample_path

pytestmark = pytest.mark.filterwarnings("ignore::zaitaku.CoverageWarning")

KINDS = ["zaishin", "nursing", "clinic"]
# the sample's regions span lon 136.10-137.24, lat 39.76-40.26; facilities
# are drawn a little beyond, where they still reach in
LON = (135.9, 137.45)
LAT = (39.6, 40.45)
KEY = ["region_id", "kind"]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.lru_cache(maxsize=None)
def sample_inputs():
    """The sample's areas and demand, read once (not a fixture, so that
    hypothesis does not print it with every failing example)."""
    munis = zaitaku.read_regions(sample_path("municipalities.shp"), "muni_code", "muni_name")
    areas = munis.dissolve(sample_path("areas.csv"), "muni_code", "area_code", "area_name")
    mesh = pd.read_csv(sample_path("population_mesh1km.csv"), dtype={"mesh_code": str})
    demand = zaitaku.read_demand(mesh, mesh_field="mesh_code", weight_fields=["total"])
    cells = demand.to_geodataframe()
    b = cells.geometry.bounds
    centroids = pd.DataFrame({"demand_id": cells["demand_id"],
                              "lon": (b.minx + b.maxx) / 2, "lat": (b.miny + b.maxy) / 2,
                              "total": demand.weights("total")})
    return {"areas": areas, "mesh": mesh, "demand": demand, "centroids": centroids}


facility = st.tuples(st.floats(*LON), st.floats(*LAT), st.sampled_from(KINDS))
facility_lists = st.lists(facility, min_size=1, max_size=8)
radii = st.floats(min_value=500.0, max_value=40000.0)


def facilities_frame(rows):
    return pd.DataFrame({"facility_id": [f"F{i}" for i in range(len(rows))],
                         "lon": [r[0] for r in rows], "lat": [r[1] for r in rows],
                         "kind": [r[2] for r in rows]})


def coverage(frame, radius, demand=None, area=False):
    base = sample_inputs()
    fac = zaitaku.read_facilities(frame, kind_field="kind")
    an = zaitaku.Analysis(base["areas"], fac, demand or base["demand"], radius=radius)
    return an, an.coverage(area=area).set_index(KEY).sort_index()


def check_shares(cov):
    for share, part, total in (("share_covered", "demand_covered", "demand_total"),
                               ("share_redundant", "demand_redundant", "demand_total"),
                               ("share_area_covered", "area_covered_km2", "area_km2")):
        s = cov[share]
        empty = ~(cov[total] > 0)
        assert s[~empty].between(0.0, 1.0).all(), (share, s[~empty].describe())
        assert s[empty].isna().all()
        assert (cov[part] <= cov[total] * (1 + 1e-12) + 1e-12).all() or cov[total].isna().all()
    assert (cov["demand_redundant"] <= cov["demand_covered"]).all()


@SETTINGS
@given(rows=facility_lists, radius=radii)
def test_covered_demand_matches_pyproj_geod(rows, radius):
    base = sample_inputs()
    an, cov = coverage(facilities_frame(rows), radius)
    check_shares(cov)
    region = an.assignment().set_index("demand_id")["region_id"]
    c = base["centroids"].assign(region_id=region.reindex(base["centroids"]["demand_id"]).values)
    c = c[c.region_id != ""]
    geod = Geod(ellps="GRS80")
    frame = facilities_frame(rows)
    for kind in sorted(set(frame.kind)):
        f = frame[frame.kind == kind]
        lon1 = np.repeat(c.lon.values[:, None], len(f), axis=1)
        lat1 = np.repeat(c.lat.values[:, None], len(f), axis=1)
        lon2 = np.broadcast_to(f.lon.values, lon1.shape)
        lat2 = np.broadcast_to(f.lat.values, lat1.shape)
        _, _, dist = geod.inv(lon1.ravel(), lat1.ravel(), lon2.ravel(), lat2.ravel())
        within = (dist.reshape(lon1.shape) <= radius).sum(axis=1)
        # cells within millimetres of the radius may fall either way
        near = (np.abs(dist.reshape(lon1.shape) - radius) < 1e-3).any(axis=1)
        assume_clear = not near.any()
        expected = c.assign(is_covered=within >= 1, is_redundant=within >= 2)
        for rid, g in expected.groupby("region_id"):
            row = cov.loc[(rid, kind)]
            assert row.demand_total == pytest.approx(g.total.sum(), abs=1e-9)
            if assume_clear:
                assert row.demand_covered == pytest.approx(g.total[g.is_covered].sum(), abs=1e-9)
                assert row.demand_redundant == pytest.approx(g.total[g.is_redundant].sum(),
                                                             abs=1e-9)


@SETTINGS
@given(rows=facility_lists, extra=facility, radius=radii)
def test_adding_a_facility_never_lowers_coverage(rows, extra, radius):
    _, before = coverage(facilities_frame(rows), radius)
    _, after = coverage(facilities_frame(rows + [extra]), radius)
    common = before.index  # a new kind adds rows; existing rows stay
    assert set(common) <= set(after.index)
    for col in ("demand_covered", "demand_redundant"):
        assert (after.loc[common, col] >= before[col]).all(), col
    check_shares(after)


@SETTINGS
@given(rows=facility_lists, r1=radii, r2=radii)
def test_a_larger_radius_never_lowers_coverage(rows, r1, r2):
    small, large = sorted((r1, r2))
    an, cov_small = coverage(facilities_frame(rows), small)
    cov_large = an.coverage(radius=large, area=False).set_index(KEY).sort_index()
    for col in ("demand_covered", "demand_redundant"):
        assert (cov_large[col] >= cov_small[col]).all(), col


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=facility_lists, r1=radii, r2=radii, extra=facility)
def test_covered_area_grows_with_radius_and_facilities(rows, r1, r2, extra):
    small, large = sorted((r1, r2))
    an, a = coverage(facilities_frame(rows), small, area=True)
    b = an.coverage(radius=large).set_index(KEY).sort_index()
    _, c = coverage(facilities_frame(rows + [extra]), small, area=True)
    check_shares(a)
    check_shares(b)
    tol = 1e-9 * a["area_km2"]
    assert (b["area_covered_km2"] >= a["area_covered_km2"] - tol).all()
    assert (c.loc[a.index, "area_covered_km2"] >= a["area_covered_km2"] - tol).all()


@SETTINGS
@given(rows=facility_lists, radius=radii, data=st.data())
def test_results_do_not_depend_on_input_order(rows, radius, data):
    frame = facilities_frame(rows)
    base = sample_inputs()
    perm = data.draw(st.permutations(range(len(frame))))
    an1, cov1 = coverage(frame, radius)
    mesh_perm = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).permutation(
        len(base["mesh"]))
    demand2 = zaitaku.read_demand(base["mesh"].iloc[mesh_perm], mesh_field="mesh_code",
                                  weight_fields=["total"])
    an2, cov2 = coverage(frame.iloc[list(perm)], radius, demand=demand2)
    # kinds appear in order of first appearance: compare as sets of rows
    pd.testing.assert_frame_equal(cov1, cov2.loc[cov1.index], check_exact=False, rtol=1e-12)
    r1 = an1.reach().set_index(["demand_id", "kind"]).sort_index()
    r2 = an2.reach().set_index(["demand_id", "kind"]).sort_index()
    assert r1.index.equals(r2.index)
    np.testing.assert_array_equal(r1["distance_m"].values, r2["distance_m"].values)
    np.testing.assert_array_equal(r1["n_within"].values, r2["n_within"].values)
