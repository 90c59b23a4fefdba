"""zaitaku's public API against independent computations.

Random cases (hypothesis, derandomized so CI sees the same examples every
run) of facilities and demand around lon 140-142, lat 42-44, with a few
rectangular regions and one L-shaped region with a hole, are analysed with
zaitaku and recomputed here by brute force:

- distances with pyproj.Geod(ellps="GRS80").inv (the 16 km rule's geodesic);
- region membership with shapely;
- sums of weights with numpy;
- areas with pyproj.Geod.geometry_area_perimeter and closed forms (the
  area of a regular 128-gon inscribed in the service circle);
- JIS X 0410 mesh cells with the standard's closed form (exact fractions).

Points within 1e-7 degree of a region border and demand units within a
micrometre of the radius are left out of the random cases: which side they
fall on is a matter of rounding, not of the API.
"""
import math
import warnings
from dataclasses import dataclass
from fractions import Fraction

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry.polygon import orient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pyproj import CRS, Geod, Transformer

import zaitaku

GEOD = Geod(ellps="GRS80")
DOCTOR_KINDS = {"zaishin", "zaibyo", "enhanced_single", "enhanced_network", "backup_hospital",
                "hospital", "clinic"}
NURSING_KINDS = {"nursing"}
KINDS = ["zaishin", "nursing", "zaibyo", "other"]  # "other" is neither doctor nor nurse

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

BORDER_EPS_DEG = 1e-7
RADIUS_EPS_M = 1e-6
SEGMENT_DEG = 0.01  # regions are densified so that Geod's geodesic edges and
# zaitaku's straight lon/lat edges describe the same land (to ~1e-8 relative)


# -- random cases -------------------------------------------------------------

L_REGION = shapely.Polygon(
    [(141.5, 42.0), (142.0, 42.0), (142.0, 43.0), (141.75, 43.0), (141.75, 44.0), (141.5, 44.0)],
    holes=[[(141.55, 42.2), (141.65, 42.2), (141.65, 42.4), (141.55, 42.4)]])


@dataclass
class Case:
    region_ids: list
    region_names: list
    region_geoms: list  # shapely polygons, lon/lat, densified
    fac: pd.DataFrame   # facility_id, kind, lon, lat
    dem: pd.DataFrame   # demand_id, lon, lat, w1, w2
    radius_m: float

    def regions_gdf(self, crs="EPSG:6668"):
        gdf = gpd.GeoDataFrame({"rid": self.region_ids, "rname": self.region_names},
                               geometry=self.region_geoms, crs="EPSG:6668")
        return gdf if crs == "EPSG:6668" else gdf.to_crs(crs)


@st.composite
def regions(draw):
    """1-3 disjoint rectangles west of lon 141.45 and the L-shaped region."""
    n = draw(st.integers(1, 3))
    cuts = sorted(draw(st.lists(st.integers(0, 28), min_size=n + 1, max_size=n + 1, unique=True)))
    geoms = []
    for a, b in zip(cuts, cuts[1:]):
        s, t = sorted(draw(st.lists(st.integers(0, 40), min_size=2, max_size=2, unique=True)))
        geoms.append(shapely.box(140 + 0.05 * a + 0.01, 42 + 0.05 * s,
                                 140 + 0.05 * b - 0.01, 42 + 0.05 * t))
    geoms.append(L_REGION)
    geoms = [shapely.segmentize(g, SEGMENT_DEG) for g in geoms]
    # ids with leading zeros: they must come back as the same strings
    ids = ["01", "002", "0003"][:len(geoms) - 1] + ["0900"]
    names = [f"圏{i}" for i in range(len(geoms))]
    return ids, names, geoms


def _lonlat():
    return st.tuples(st.floats(139.9, 142.1), st.floats(41.9, 44.1))


@st.composite
def cases(draw, min_facilities=1, kinds=KINDS):
    """Explicit points (which hypothesis shrinks and pushes to edge values)
    plus a bulk of points from a drawn seed, half of the demand inside the
    regions' bounding boxes, so that most examples have people in regions,
    facilities within reach of some and out of reach of others."""
    ids, names, geoms = draw(regions())
    facs = draw(st.lists(st.tuples(_lonlat(), st.sampled_from(kinds)), min_size=min_facilities,
                         max_size=8))
    dems = draw(st.lists(st.tuples(_lonlat(), st.integers(0, 1000), st.integers(0, 50)),
                         min_size=0, max_size=10))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    for _ in range(draw(st.integers(0, 15))):
        facs.append(((rng.uniform(139.9, 142.1), rng.uniform(41.9, 44.1)), str(rng.choice(kinds))))
    for i in range(draw(st.integers(0, 150))):
        if i % 2:
            x0, y0, x1, y1 = geoms[rng.integers(len(geoms))].bounds
        else:
            x0, y0, x1, y1 = 139.9, 41.9, 142.1, 44.1
        dems.append(((rng.uniform(x0, x1), rng.uniform(y0, y1)), int(rng.integers(0, 1000)),
                     int(rng.integers(0, 50))))
    radius = draw(st.one_of(st.floats(1000.0, 30000.0), st.integers(5, 30).map(lambda k: k * 1000.0)))
    fac = pd.DataFrame({
        "facility_id": [f"F{i:03d}" for i in range(len(facs))],
        "kind": [k for _, k in facs],
        "lon": [p[0] for p, _ in facs], "lat": [p[1] for p, _ in facs]})
    dem = pd.DataFrame({
        "demand_id": [f"D{i:03d}" for i in range(len(dems))],
        "lon": [p[0] for p, _, _ in dems], "lat": [p[1] for p, _, _ in dems],
        "w1": [float(a) for _, a, _ in dems], "w2": [float(b) for _, _, b in dems]})
    case = Case(ids, names, geoms, fac, dem, radius)
    return _unambiguous(case)


def _unambiguous(case):
    """Drops points whose region or reach is decided by rounding."""
    border = shapely.union_all([g.boundary for g in case.region_geoms])

    def away(frame):
        pts = shapely.points(frame["lon"].to_numpy(), frame["lat"].to_numpy())
        return shapely.distance(pts, border) > BORDER_EPS_DEG

    case.fac = case.fac[away(case.fac)].reset_index(drop=True)
    assume(len(case.fac) > 0)
    dem = case.dem[away(case.dem)].reset_index(drop=True)
    d = distances(dem, case.fac)
    dem = dem[~(np.abs(d - case.radius_m) < RADIUS_EPS_M).any(axis=1)].reset_index(drop=True)
    case.dem = dem
    return case


# -- independent computations ------------------------------------------------

def distances(dem, fac):
    """Geodesic distances (m), demand x facility, with pyproj."""
    n, m = len(dem), len(fac)
    if n == 0 or m == 0:
        return np.zeros((n, m))
    lon1 = np.repeat(dem["lon"].to_numpy(float), m)
    lat1 = np.repeat(dem["lat"].to_numpy(float), m)
    lon2 = np.tile(fac["lon"].to_numpy(float), n)
    lat2 = np.tile(fac["lat"].to_numpy(float), n)
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2]).reshape(n, m)


def containing_region(frame, case):
    """Index of the region containing each point (-1: none), with shapely."""
    pts = shapely.points(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    out = np.full(len(frame), -1)
    for i, g in enumerate(case.region_geoms):
        inside = shapely.contains(g, pts)
        assert not (inside & (out >= 0)).any(), "test regions overlap"
        out[inside] = i
    return out


def geod_area_km2(geom):
    """Ellipsoidal area; rings oriented first (exterior counter-clockwise,
    holes clockwise), as Geod adds the signed areas of the rings."""
    return sum(GEOD.geometry_area_perimeter(orient(p, 1.0))[0]
               for p in shapely.get_parts(geom)) / 1e6


def ngon_area_m2(r, n=128):
    """Area of the regular n-gon inscribed in a circle of radius r."""
    return 0.5 * n * r * r * math.sin(2 * math.pi / n)


def member_masks(fac):
    """kind -> boolean mask of the facilities counting for it, for the real
    kinds and the two derived ones (doctor_and_nursing handled apart)."""
    kinds = fac["kind"].to_numpy()
    masks = {k: kinds == k for k in dict.fromkeys(kinds)}
    doctor = np.isin(kinds, list(DOCTOR_KINDS))
    if doctor.any():
        masks["doctor_any"] = doctor
    return masks


def counts_within(case, d):
    """kind -> facilities of the kind within the radius, per demand unit."""
    r = case.radius_m
    masks = member_masks(case.fac)
    counts = {k: (d[:, m] <= r).sum(axis=1) for k, m in masks.items()}
    nursing = np.isin(case.fac["kind"].to_numpy(), list(NURSING_KINDS))
    if "doctor_any" in masks and nursing.any():
        # a doctor AND a nurse; redundant when both have two within reach
        counts["doctor_and_nursing"] = np.minimum(counts["doctor_any"],
                                                  (d[:, nursing] <= r).sum(axis=1))
    return counts


# -- building analyses ---------------------------------------------------------

# Inputs of every analysis made here, kept for the whole session. An analysis
# left in a reference cycle (a failing test's traceback holds one) is freed
# by the garbage collector, which may free its regions first and crash the
# interpreter in cov_analysis_destroy (test_errors.py shows the bug). Kept
# alive here, the inputs outlive every analysis, so a failing test fails
# instead of taking the whole run down.
_KEEP = []


def keep(an):
    _KEEP.append((an.regions, an.facilities, an.demand, an._ctx))
    return an


def build(case, regions_crs="EPSG:6668", **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)  # points in no region
        reg = zaitaku.read_regions(case.regions_gdf(regions_crs), "rid", "rname")
        fac = zaitaku.read_facilities(case.fac, kind_field="kind")
        dem = zaitaku.read_demand(case.dem, id_field="demand_id", lon_field="lon",
                                  lat_field="lat", weight_fields=["w1", "w2"])
        kwargs.setdefault("coastal_snap", 0)
        return keep(zaitaku.Analysis(reg, fac, dem, radius=case.radius_m, **kwargs))


# -- (a) reach ---------------------------------------------------------------

@SETTINGS
@given(cases())
def test_reach_matches_brute_force(case):
    an = build(case)
    reach = an.reach()
    d = distances(case.dem, case.fac)
    fac_ids = case.fac["facility_id"].to_numpy()
    # every kind of the facilities, then doctor_any (the nearest doctor of
    # any kind) when there are doctors (analysis.h)
    masks = member_masks(case.fac)
    kinds = list(masks)
    assert len(reach) == len(case.dem) * len(kinds)
    assert list(dict.fromkeys(reach["kind"])) == kinds or len(case.dem) == 0
    for kind in kinds:
        sub = reach[reach["kind"] == kind]
        assert list(sub["demand_id"]) == list(case.dem["demand_id"])
        cols = np.flatnonzero(masks[kind])
        dk = d[:, cols]
        best = dk.min(axis=1) if len(case.dem) else np.zeros(0)
        np.testing.assert_allclose(sub["distance_m"].to_numpy(), best, rtol=0, atol=1e-6)
        j = sub["nearest_index"].to_numpy()
        assert masks[kind][j].all()
        assert (fac_ids[j] == sub["nearest_id"].to_numpy()).all()
        # the named facility is at the nearest distance (ties: any of them)
        np.testing.assert_allclose(d[np.arange(len(j)), j], best, rtol=0, atol=1e-6)
        np.testing.assert_array_equal(sub["n_within"].to_numpy(),
                                      (dk <= case.radius_m).sum(axis=1))


@SETTINGS
@given(cases(), st.floats(1000.0, 30000.0))
def test_reach_radius_argument_overrides_default(case, other_radius):
    """reach(radius=...) uses the given radius, not the analysis's (the
    per-radius cache of the first call does not leak into the second), and
    reach(kind=...) gives that kind's rows of the long table."""
    an = build(case)
    d = distances(case.dem, case.fac)
    an.reach()  # fills the per-radius cache with the default radius
    assume(not (np.abs(d - other_radius) < RADIUS_EPS_M).any())
    reach = an.reach(radius=other_radius)
    for kind, mask in member_masks(case.fac).items():
        sub = reach[reach["kind"] == kind]
        np.testing.assert_array_equal(sub["n_within"].to_numpy(),
                                      (d[:, mask] <= other_radius).sum(axis=1))
    # one kind at a time gives the same rows
    kind = case.fac["kind"].iloc[0]
    pd.testing.assert_frame_equal(an.reach(kind=kind, radius=other_radius),
                                  reach[reach["kind"] == kind].reset_index(drop=True))


# -- (b) assignment ----------------------------------------------------------

@SETTINGS
@given(cases())
def test_assignment_is_shapely_containment(case):
    an = build(case)
    a = an.assignment()
    region = containing_region(case.dem, case)
    ids = np.array(case.region_ids + [""], dtype=object)
    assert list(a["demand_id"]) == list(case.dem["demand_id"])
    assert list(a["region_id"]) == list(ids[region])
    assert list(a["method"]) == ["inside" if r >= 0 else "unassigned" for r in region]
    snap = a["snap_distance_m"].to_numpy()
    assert (snap[region >= 0] == 0).all()
    assert np.isnan(snap[region < 0]).all()
    # reach carries the same region of each unit
    reach = an.reach()
    first = reach[reach["kind"] == reach["kind"].iloc[0]] if len(reach) else reach
    assert list(first["region_id"]) == list(ids[region])
    assert list(an.unassigned["demand_id"]) == list(case.dem["demand_id"][region < 0])


@pytest.mark.parametrize("offset_m", [300.0, 900.0, 1500.0])
def test_coastal_snap_distance(offset_m):
    """A point north of a rectangle joins it when within coastal_snap, with
    snap_distance_m the geodesic distance to the border (due south: the
    meridian arc), and is reported unassigned when beyond."""
    box = shapely.segmentize(shapely.box(141.0, 43.0, 141.5, 43.5), SEGMENT_DEG)
    lon = 141.2537
    _, lat, _ = GEOD.fwd(lon, 43.5, 0.0, offset_m)
    reg = zaitaku.read_regions(gpd.GeoDataFrame({"id": ["7"]}, geometry=[box], crs=6668), "id")
    fac = zaitaku.read_facilities(pd.DataFrame({"facility_id": ["f"], "lon": [141.2],
                                                "lat": [43.2]}))
    dem = zaitaku.read_demand(pd.DataFrame({"id": ["p"], "lon": [lon], "lat": [lat]}),
                              id_field="id", lon_field="lon", lat_field="lat")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        an = keep(zaitaku.Analysis(reg, fac, dem, coastal_snap="1km"))
    a = an.assignment().iloc[0]
    if offset_m <= 1000:
        assert (a["region_id"], a["method"]) == ("7", "snapped")
        assert a["snap_distance_m"] == pytest.approx(offset_m, rel=1e-3)
        assert not [w for w in caught if issubclass(w.category, zaitaku.CoverageWarning)]
    else:
        assert (a["region_id"], a["method"]) == ("", "unassigned")
        assert [w for w in caught if issubclass(w.category, zaitaku.CoverageWarning)
                and "p" in str(w.message)]


# -- (c) coverage sums -------------------------------------------------------

def expected_kinds(fac):
    kinds = list(dict.fromkeys(fac["kind"]))
    doctor = any(k in DOCTOR_KINDS for k in kinds)
    nurse = any(k in NURSING_KINDS for k in kinds)
    return kinds + (["doctor_any"] if doctor else []) + (["doctor_and_nursing"] if doctor and nurse else [])


def check_coverage(case, cov, weight="w1"):
    d = distances(case.dem, case.fac)
    counts = counts_within(case, d)
    region = containing_region(case.dem, case)
    fac_region = containing_region(case.fac, case)
    w = case.dem[weight].to_numpy(float)
    kinds = expected_kinds(case.fac)
    assert len(cov) == len(case.region_ids) * len(kinds)
    masks = member_masks(case.fac)
    nursing = np.isin(case.fac["kind"].to_numpy(), list(NURSING_KINDS))
    for i, rid in enumerate(case.region_ids):
        rows = cov[cov["region_id"] == rid]
        assert list(rows["kind"]) == kinds
        assert set(rows["region_name"]) == {case.region_names[i]}
        for _, row in rows.iterrows():
            k = row["kind"]
            inside = region == i
            c = counts[k]
            total = w[inside].sum()
            assert row["demand_total"] == pytest.approx(total, rel=1e-12, abs=0)
            assert row["demand_covered"] == pytest.approx(w[inside & (c >= 1)].sum(), rel=1e-12, abs=0)
            assert row["demand_redundant"] == pytest.approx(w[inside & (c >= 2)].sum(), rel=1e-12, abs=0)
            if total > 0:
                assert row["share_covered"] == pytest.approx(w[inside & (c >= 1)].sum() / total)
                assert row["share_redundant"] == pytest.approx(w[inside & (c >= 2)].sum() / total)
            else:
                assert np.isnan(row["share_covered"]) and np.isnan(row["share_redundant"])
            members = (masks["doctor_any"] | nursing) if k == "doctor_and_nursing" else masks[k]
            assert row["n_facilities"] == (members & (fac_region == i)).sum()


@SETTINGS
@given(cases())
def test_coverage_matches_brute_force(case):
    an = build(case)
    check_coverage(case, an.coverage(area=False))


@SETTINGS
@given(cases(kinds=["zaishin", "nursing"]))
def test_coverage_second_weight(case):
    an = build(case)
    check_coverage(case, an.coverage(area=False, weight="w2"), weight="w2")
    # by index too, and the default is the first column
    pd.testing.assert_frame_equal(an.coverage(area=False, weight=1),
                                  an.coverage(area=False, weight="w2"))
    pd.testing.assert_frame_equal(an.coverage(area=False), an.coverage(area=False, weight="w1"))


def test_coverage_without_area_has_nan_areas_and_same_sums():
    case = _fixed_case(seed=3)
    an = build(case)
    fast, full = an.coverage(area=False), an.coverage()
    assert fast[["area_km2", "area_covered_km2", "share_area_covered"]].isna().all().all()
    cols = ["region_id", "kind", "n_facilities", "demand_total", "demand_covered",
            "demand_redundant"]
    pd.testing.assert_frame_equal(fast[cols], full[cols])


# -- (d) areas -------------------------------------------------------------------

@SETTINGS
@given(st.floats(1000.0, 30000.0), st.floats(140.5, 141.5), st.floats(42.5, 43.5),
       st.sampled_from([128, 32]))
def test_single_circle_area_is_the_inscribed_polygon(radius, lon, lat, segments):
    """One nursing station well inside a region: its covered land is the
    geodesic circle's inscribed n-gon. 0.5 n r^2 sin(2 pi / n) is 0.04 %
    below pi r^2 for n = 128 (0.64 % for 32), so the 0.01 % tolerance tells
    the polygon from the circle; the region's area matches
    Geod.geometry_area_perimeter within 0.05 %."""
    box = shapely.segmentize(shapely.box(140.0, 42.0, 142.0, 44.0), SEGMENT_DEG)
    reg = zaitaku.read_regions(gpd.GeoDataFrame({"id": ["1"]}, geometry=[box], crs=6668), "id")
    fac = zaitaku.read_facilities(pd.DataFrame({
        "facility_id": ["N1", "C1", "C2"], "kind": ["nursing", "zaishin", "zaishin"],
        "lon": [lon, 140.3, 141.9], "lat": [lat, 42.2, 43.9]}), kind_field="kind")
    dem = zaitaku.read_demand(pd.DataFrame({"id": ["p"], "lon": [141.0], "lat": [43.0]}),
                              id_field="id", lon_field="lon", lat_field="lat")
    an = keep(zaitaku.Analysis(reg, fac, dem, radius=radius, circle_segments=segments))
    cov = an.coverage().set_index("kind")
    expected_km2 = ngon_area_m2(radius, segments) / 1e6
    assert cov.loc["nursing", "area_covered_km2"] == pytest.approx(expected_km2, rel=1e-4)
    assert cov.loc["nursing", "area_km2"] == pytest.approx(geod_area_km2(box), rel=5e-4)
    # the circle of one facility, by itself (geodesic area of its polygon)
    circles = an.service_areas(by="facility").set_index("facility_id")
    assert circles.loc["N1", "area_km2"] == pytest.approx(expected_km2, rel=1e-4)
    assert geod_area_km2(circles.loc["N1", "geometry"]) == pytest.approx(expected_km2, rel=1e-4)
    # every vertex lies at the radius from the facility
    x, y = np.asarray(circles.loc["N1", "geometry"].exterior.coords).T
    assert len(x) == segments + 1
    np.testing.assert_allclose(GEOD.inv(np.full_like(x, lon), np.full_like(y, lat), x, y)[2],
                               radius, rtol=1e-9)


@SETTINGS
@given(cases())
def test_region_areas_match_geod(case):
    an = build(case)
    cov = an.coverage()
    regions = an.regions.to_geodataframe()
    assert regions.crs == "EPSG:6668"
    for i, rid in enumerate(case.region_ids):
        expected = geod_area_km2(case.region_geoms[i])
        rows = cov[cov["region_id"] == rid]
        np.testing.assert_allclose(rows["area_km2"], expected, rtol=5e-4)
        r = regions[regions["region_id"] == rid].iloc[0]
        assert r["area_km2"] == pytest.approx(expected, rel=5e-4)
        assert r["region_name"] == case.region_names[i]
        # shapes come back as given (symmetric difference under 1e-9 of the area)
        assert shapely.symmetric_difference(r.geometry, case.region_geoms[i]).area < 1e-9 * case.region_geoms[i].area
        covered = rows["area_covered_km2"].to_numpy()
        assert ((covered >= 0) & (covered <= rows["area_km2"].to_numpy() * (1 + 1e-12))).all()
        np.testing.assert_allclose(rows["share_area_covered"], covered / rows["area_km2"], rtol=1e-12)


# -- (e) gaps ------------------------------------------------------------------

@SETTINGS
@given(cases())
def test_gaps_are_the_uncovered_land(case):
    an = build(case)
    cov = an.coverage()
    gaps = an.gaps()
    assert isinstance(gaps, gpd.GeoDataFrame) and gaps.crs == "EPSG:6668"
    d = distances(case.dem, case.fac)
    counts = counts_within(case, d)
    region = containing_region(case.dem, case)
    w = case.dem["w1"].to_numpy(float)
    keyed = gaps.set_index(["region_id", "kind"])
    assert keyed.index.is_unique
    for _, row in cov.iterrows():
        key = (row["region_id"], row["kind"])
        uncovered = row["area_km2"] - row["area_covered_km2"]
        if key not in keyed.index:
            # fully covered (no row), to rounding
            assert uncovered <= 1e-9 * row["area_km2"]
            continue
        gap = keyed.loc[key]
        assert gap["area_km2"] == pytest.approx(uncovered, rel=1e-9, abs=1e-9)
        geom = gap["geometry"]
        assert geom.is_valid and not geom.is_empty
        i = case.region_ids.index(row["region_id"])
        assert case.region_geoms[i].buffer(1e-6).covers(geom)
        assert gap["n_parts"] == len(shapely.get_parts(geom))
        assert geod_area_km2(geom) == pytest.approx(gap["area_km2"], rel=1e-3, abs=1e-4)
        inside = region == i
        assert gap["demand_uncovered"] == pytest.approx(w[inside & (counts[row["kind"]] == 0)].sum(),
                                                        rel=1e-12, abs=0)
        # covered land and gap tile the region
        assert gap["region_name"] == case.region_names[i]


@SETTINGS
@given(cases(kinds=["zaishin", "nursing"]))
def test_service_areas_and_gaps_tile_the_region(case):
    """Per region and kind, the service area (by="region") and the gap are
    disjoint and together make the region, and their areas add up."""
    an = build(case)
    areas = an.service_areas().set_index(["region_id", "kind"])
    gaps = an.gaps().set_index(["region_id", "kind"])
    cov = an.coverage().set_index(["region_id", "kind"])
    assert areas.crs == "EPSG:6668"
    for key, row in cov.iterrows():
        i = case.region_ids.index(key[0])
        region = case.region_geoms[i]
        got = areas.loc[key, "area_km2"] if key in areas.index else 0.0
        assert got == pytest.approx(row["area_covered_km2"], rel=1e-9, abs=1e-9)
        parts = [t.loc[key, "geometry"] for t in (areas, gaps) if key in t.index]
        union = shapely.union_all(parts)
        scale = region.area
        assert shapely.symmetric_difference(union, region).area < 1e-6 * scale
        if len(parts) == 2:
            assert shapely.intersection(*parts).area < 1e-6 * scale


def test_service_areas_of_one_kind():
    """kind= gives the rows of that kind of the whole table, geometry and
    all, by region (derived kinds too) and by facility; a kind the
    facilities do not have is refused, naming it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an = zaitaku.Analysis.sample()
    every = an.service_areas()
    for kind in ("nursing", "doctor_and_nursing"):
        one = an.service_areas(kind=kind)
        want = every[every.kind == kind].reset_index(drop=True)
        assert len(one) == len(want) > 0 and set(one.kind) == {kind}
        assert list(one.region_id) == list(want.region_id)
        np.testing.assert_array_equal(one.area_km2, want.area_km2)
        assert shapely.equals_exact(one.geometry.values, want.geometry.values, 0).all()
    circles = an.service_areas(by="facility")
    nurses = an.service_areas(by="facility", kind="nursing")
    assert list(nurses.facility_id) == list(circles.facility_id[circles.kind == "nursing"])
    with pytest.raises(zaitaku.InvalidArgumentError, match='no facility kind "dentist"'):
        an.service_areas(kind="dentist")
    with pytest.raises(ValueError, match="no facility kind 'dentist'"):
        an.service_areas(by="facility", kind="dentist")


def test_fully_covered_region_has_no_gap_row():
    """A region inside one facility's circle: covered land is the region
    (Geod area), the gap table has no row for it, the other region's gap
    is the whole region minus nothing reached."""
    small = shapely.segmentize(shapely.box(141.0, 43.0, 141.1, 43.05), SEGMENT_DEG)
    far = shapely.segmentize(shapely.box(140.0, 42.0, 140.2, 42.1), SEGMENT_DEG)
    reg = zaitaku.read_regions(gpd.GeoDataFrame({"id": ["s", "f"]}, geometry=[small, far],
                                                crs=6668), "id")
    fac = zaitaku.read_facilities(pd.DataFrame({"facility_id": ["N"], "kind": ["nursing"],
                                                "lon": [141.05], "lat": [43.025]}), kind_field="kind")
    dem = zaitaku.read_demand(pd.DataFrame({"id": ["a", "b"], "lon": [141.01, 140.1],
                                            "lat": [43.01, 42.05], "w": [3.0, 5.0]}),
                              id_field="id", lon_field="lon", lat_field="lat", weight_fields=["w"])
    an = keep(zaitaku.Analysis(reg, fac, dem, radius="30km"))
    cov = an.coverage().set_index("region_id")
    assert cov.loc["s", "area_covered_km2"] == pytest.approx(geod_area_km2(small), rel=5e-4)
    assert cov.loc["s", "area_covered_km2"] == pytest.approx(cov.loc["s", "area_km2"], rel=1e-12)
    assert cov.loc["s", "share_covered"] == 1.0 and cov.loc["f", "share_covered"] == 0.0
    assert cov.loc["f", "area_covered_km2"] == 0.0
    gaps = an.gaps()
    assert list(gaps["region_id"]) == ["f"]
    assert gaps["area_km2"].iloc[0] == pytest.approx(geod_area_km2(far), rel=5e-4)
    assert gaps["demand_uncovered"].iloc[0] == 5.0
    assert shapely.symmetric_difference(gaps.geometry.iloc[0], far).area < 1e-6 * far.area


# -- (f) mesh demand ------------------------------------------------------------

def mesh_bounds(code):
    """JIS X 0410: (west, south, east, north) from the code, exactly."""
    lat = Fraction(int(code[0:2]), 1) * Fraction(2, 3)
    lon = Fraction(int(code[2:4]) + 100)
    dlat, dlon = Fraction(2, 3), Fraction(1)
    if len(code) >= 6:
        dlat, dlon = dlat / 8, dlon / 8
        lat += int(code[4]) * dlat
        lon += int(code[5]) * dlon
    if len(code) >= 8:
        dlat, dlon = dlat / 10, dlon / 10
        lat += int(code[6]) * dlat
        lon += int(code[7]) * dlon
    for digit in code[8:10]:
        m = int(digit) - 1  # 1 SW, 2 SE, 3 NW, 4 NE
        dlat, dlon = dlat / 2, dlon / 2
        lat += (m // 2) * dlat
        lon += (m % 2) * dlon
    return tuple(float(v) for v in (lon, lat, lon + dlon, lat + dlat))


LEVEL_OF_LENGTH = {4: 1, 6: 2, 8: 3, 9: 4, 10: 5}


@st.composite
def mesh_codes(draw):
    """Codes of cells in lon 140-142, lat 42-44 (1st-level 6340 .. 6541)."""
    code = f"{draw(st.integers(63, 65))}{draw(st.integers(40, 41))}"
    length = draw(st.sampled_from([4, 6, 8, 9, 10]))
    if length >= 6:
        code += f"{draw(st.integers(0, 7))}{draw(st.integers(0, 7))}"
    if length >= 8:
        code += f"{draw(st.integers(0, 9))}{draw(st.integers(0, 9))}"
    for _ in range(length - 8 if length > 8 else 0):
        code += str(draw(st.integers(1, 4)))
    return code


def test_mesh_published_corners():
    # 5339: the 1st-level cell of Tokyo (lat 35 20' - 36 00', lon 139 - 140)
    assert zaitaku.decode_mesh("5339") == pytest.approx((139.0, 35 + 1 / 3, 140.0, 36.0), abs=1e-12)
    # 53394611: lat 35 40' 30" - 35 41', lon 139 45' 45" - 139 46' 30"
    assert zaitaku.decode_mesh("53394611") == pytest.approx(
        (139 + 45 / 60 + 45 / 3600, 35 + 40 / 60 + 30 / 3600, 139 + 46 / 60 + 30 / 3600, 35 + 41 / 60),
        abs=1e-12)
    # Tokyo Tower (139.7454 E, 35.6586 N) is in 1 km cell 53393599
    assert zaitaku.encode_mesh(139.7454, 35.6586, "1km") == "53393599"


@SETTINGS
@given(mesh_codes())
def test_decode_mesh_closed_form(code):
    assert zaitaku.decode_mesh(code) == pytest.approx(mesh_bounds(code), abs=1e-12)


@SETTINGS
@given(st.floats(100.0, 179.999), st.floats(0.0, 66.66), st.sampled_from(list(zaitaku.mesh.LEVELS)))
def test_encode_mesh_contains_the_point(lon, lat, level):
    code = zaitaku.encode_mesh(lon, lat, level)
    assert len(code) == {1: 4, 2: 6, 3: 8, 4: 9, 5: 10}[zaitaku.mesh.LEVELS[level]]
    w, s, e, n = mesh_bounds(code)
    # half-open cells, with the library's documented 2e-12 degree slack on
    # the west and south edges
    assert w - 2e-12 <= lon < e + 1e-12 and s - 2e-12 <= lat < n + 1e-12


@SETTINGS
@given(st.lists(mesh_codes(), min_size=1, max_size=30, unique=True),
       st.lists(st.tuples(_lonlat(), st.sampled_from(["zaishin", "nursing"])), min_size=1,
                max_size=10),
       st.floats(1000.0, 30000.0))
def test_mesh_demand_uses_the_cell_centre(codes, facs, radius):
    assume(not any(a != b and b.startswith(a) for a in codes for b in codes))  # nested: an error
    box = shapely.segmentize(shapely.box(140.0, 42.0, 142.0, 44.0), SEGMENT_DEG)
    reg = zaitaku.read_regions(gpd.GeoDataFrame({"id": ["1"]}, geometry=[box], crs=6668), "id")
    fac_df = pd.DataFrame({"facility_id": [f"F{i}" for i in range(len(facs))],
                           "kind": [k for _, k in facs],
                           "lon": [p[0] for p, _ in facs], "lat": [p[1] for p, _ in facs]})
    fac = zaitaku.read_facilities(fac_df, kind_field="kind")
    weights = np.arange(1, len(codes) + 1, dtype=float)
    dem = zaitaku.read_demand(pd.DataFrame({"code": codes, "pop": weights}), mesh_field="code",
                              weight_fields=["pop"])
    cells = dem.to_geodataframe()
    assert cells.crs == "EPSG:6668"
    assert list(cells["demand_id"]) == codes
    assert list(cells["mesh_level"]) == [LEVEL_OF_LENGTH[len(c)] for c in codes]
    np.testing.assert_array_equal(cells["pop"], weights)
    bounds = np.array([mesh_bounds(c) for c in codes])
    np.testing.assert_allclose(cells.geometry.bounds.to_numpy(), bounds, rtol=0, atol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an = keep(zaitaku.Analysis(reg, fac, dem, radius=radius))
    reach = an.reach()
    centre = pd.DataFrame({"lon": (bounds[:, 0] + bounds[:, 2]) / 2,
                           "lat": (bounds[:, 1] + bounds[:, 3]) / 2})
    d = distances(centre, fac_df)
    for kind in dict.fromkeys(fac_df["kind"]):
        sub = reach[reach["kind"] == kind]
        np.testing.assert_allclose(sub["distance_m"], d[:, (fac_df["kind"] == kind).to_numpy()].min(axis=1),
                                   rtol=0, atol=1e-6)


# -- (g) input types and CRS ---------------------------------------------------

def _fixed_case(seed, n_fac=25, n_dem=120):
    """A reproducible case from numpy (no hypothesis: used with tmp_path)."""
    rng = np.random.default_rng(seed)
    geoms = [shapely.segmentize(shapely.box(140.2, 42.3, 140.9, 43.6), SEGMENT_DEG),
             shapely.segmentize(shapely.box(141.0, 42.1, 141.4, 43.9), SEGMENT_DEG),
             shapely.segmentize(L_REGION, SEGMENT_DEG)]
    fac = pd.DataFrame({"facility_id": [f"{i:04d}" for i in range(n_fac)],
                        "kind": rng.choice(KINDS, n_fac),
                        "lon": rng.uniform(140.0, 142.0, n_fac).round(7),
                        "lat": rng.uniform(42.0, 44.0, n_fac).round(7)})
    dem = pd.DataFrame({"demand_id": [f"D{i}" for i in range(n_dem)],
                        "lon": rng.uniform(140.0, 142.0, n_dem).round(7),
                        "lat": rng.uniform(42.0, 44.0, n_dem).round(7),
                        "w1": rng.integers(0, 500, n_dem).astype(float),
                        "w2": rng.integers(0, 50, n_dem).astype(float)})
    case = Case(["01", "02", "03"], ["西圏", "中圏", "東圏"], geoms, fac, dem, 12000.0)
    border = shapely.union_all([g.boundary for g in geoms])
    for name in ("fac", "dem"):
        frame = getattr(case, name)
        pts = shapely.points(frame["lon"].to_numpy(), frame["lat"].to_numpy())
        setattr(case, name, frame[shapely.distance(pts, border) > BORDER_EPS_DEG].reset_index(drop=True))
    return case


@pytest.fixture
def fixed_case():
    return _fixed_case(seed=11)


def _analysis(regions, facilities, demand, radius):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        return keep(zaitaku.Analysis(regions, facilities, demand, radius=radius, coastal_snap=0))


def test_input_types_give_identical_tables(fixed_case, tmp_path):
    case = fixed_case
    check_coverage(case, build(case).coverage(area=False))  # the reference is right
    gdf = case.regions_gdf()
    gdf.to_file(tmp_path / "regions.shp", encoding="utf-8")
    gdf.to_file(tmp_path / "regions.geojson", driver="GeoJSON")
    fac_points = gpd.GeoDataFrame(case.fac[["facility_id", "kind"]],
                                  geometry=gpd.points_from_xy(case.fac["lon"], case.fac["lat"]),
                                  crs="EPSG:6668")
    # (DBF field names have 10 characters at most)
    fac_points.rename(columns={"facility_id": "fac_id"}).to_file(tmp_path / "facilities.shp",
                                                                 encoding="utf-8")
    case.fac.to_csv(tmp_path / "facilities.csv", index=False)
    dem_points = gpd.GeoDataFrame(case.dem[["demand_id", "w1", "w2"]],
                                  geometry=gpd.points_from_xy(case.dem["lon"], case.dem["lat"]),
                                  crs="EPSG:6668")
    case.dem.to_csv(tmp_path / "demand.csv", index=False)

    regions = {
        "GeoDataFrame": lambda: zaitaku.read_regions(gdf, "rid", "rname"),
        "shapefile": lambda: zaitaku.read_regions(tmp_path / "regions.shp", "rid", "rname"),
        "GeoJSON": lambda: zaitaku.read_regions(str(tmp_path / "regions.geojson"), "rid", "rname"),
    }
    facilities = {
        "GeoDataFrame": lambda: zaitaku.read_facilities(fac_points, kind_field="kind"),
        "DataFrame": lambda: zaitaku.read_facilities(case.fac, kind_field="kind"),
        "CSV": lambda: zaitaku.read_facilities(tmp_path / "facilities.csv", kind_field="kind"),
        "shapefile": lambda: zaitaku.read_facilities(str(tmp_path / "facilities.shp"), "fac_id",
                                                     kind_field="kind"),
    }
    w = ["w1", "w2"]
    demand = {
        "GeoDataFrame": lambda: zaitaku.read_demand(dem_points, id_field="demand_id", weight_fields=w),
        "DataFrame": lambda: zaitaku.read_demand(case.dem, id_field="demand_id", lon_field="lon",
                                                 lat_field="lat", weight_fields=w),
        "CSV": lambda: zaitaku.read_demand(tmp_path / "demand.csv", id_field="demand_id",
                                           lon_field="lon", lat_field="lat", weight_fields=w),
    }
    reference_cov = reference_reach = None
    combos = [(r, "DataFrame", "DataFrame") for r in regions] + \
             [("GeoDataFrame", f, "DataFrame") for f in facilities] + \
             [("GeoDataFrame", "DataFrame", d) for d in demand]
    for r, f, d in combos:
        an = _analysis(regions[r](), facilities[f](), demand[d](), case.radius_m)
        cov = an.coverage(weight="w2")
        reach = an.reach()
        if reference_cov is None:
            reference_cov, reference_reach = cov, reach
            continue
        label = f"regions {r}, facilities {f}, demand {d}"
        # a shapefile's rings come back clockwise from another vertex (the
        # same land, summed in another order) and GeoJSON keeps 15 digits:
        # areas agree to ~1e-10, everything else exactly
        areas = ["area_km2", "area_covered_km2", "share_area_covered"]
        pd.testing.assert_frame_equal(cov.drop(columns=areas), reference_cov.drop(columns=areas),
                                      check_exact=True, obj=label)
        pd.testing.assert_frame_equal(cov[areas], reference_cov[areas], rtol=1e-9, atol=1e-9, obj=label)
        pd.testing.assert_frame_equal(reach, reference_reach, check_exact=True, obj=label)


def test_facilities_in_plane_rectangular_crs(fixed_case, tmp_path):
    """Facilities given in JGD2011 zone XII (EPSG:6680, metres) reach as far
    as the same facilities in lon/lat."""
    case = fixed_case
    to_xy = Transformer.from_crs("EPSG:6668", "EPSG:6680", always_xy=True)
    x, y = to_xy.transform(case.fac["lon"].to_numpy(), case.fac["lat"].to_numpy())
    fac_xy = case.fac.drop(columns=["lon", "lat"]).assign(x=x, y=y)
    fac_xy.to_csv(tmp_path / "facilities_6680.csv", index=False)
    reg = lambda: zaitaku.read_regions(case.regions_gdf(), "rid", "rname")  # noqa: E731
    dem = lambda: zaitaku.read_demand(case.dem, id_field="demand_id", lon_field="lon",  # noqa: E731
                                      lat_field="lat", weight_fields=["w1"])
    reference = _analysis(reg(), zaitaku.read_facilities(case.fac, kind_field="kind"), dem(),
                          case.radius_m).reach()
    variants = {
        "DataFrame": zaitaku.read_facilities(fac_xy, kind_field="kind", lon_field="x",
                                             lat_field="y", crs="EPSG:6680"),
        "DataFrame pyproj.CRS": zaitaku.read_facilities(fac_xy, kind_field="kind", lon_field="x",
                                                        lat_field="y", crs=CRS.from_epsg(6680)),
        "CSV": zaitaku.read_facilities(tmp_path / "facilities_6680.csv", kind_field="kind",
                                       lon_field="x", lat_field="y", crs=6680),
        "GeoDataFrame": zaitaku.read_facilities(
            gpd.GeoDataFrame(fac_xy[["facility_id", "kind"]], geometry=gpd.points_from_xy(x, y),
                             crs="EPSG:6680"), kind_field="kind"),
    }
    for label, fac in variants.items():
        lonlat = fac.to_geodataframe()
        np.testing.assert_allclose(lonlat.geometry.x, case.fac["lon"], rtol=0, atol=1e-9, err_msg=label)
        np.testing.assert_allclose(lonlat.geometry.y, case.fac["lat"], rtol=0, atol=1e-9, err_msg=label)
        reach = _analysis(reg(), fac, dem(), case.radius_m).reach()
        np.testing.assert_allclose(reach["distance_m"], reference["distance_m"], rtol=0, atol=1e-6,
                                   err_msg=label)
        pd.testing.assert_frame_equal(reach.drop(columns="distance_m"),
                                      reference.drop(columns="distance_m"), obj=label)


def test_regions_in_web_mercator(fixed_case):
    case = fixed_case
    dem = lambda: zaitaku.read_demand(case.dem, id_field="demand_id", lon_field="lon",  # noqa: E731
                                      lat_field="lat", weight_fields=["w1"])
    fac = lambda: zaitaku.read_facilities(case.fac, kind_field="kind")  # noqa: E731
    ll = _analysis(zaitaku.read_regions(case.regions_gdf(), "rid", "rname"), fac(), dem(),
                   case.radius_m).coverage()
    merc_regions = zaitaku.read_regions(case.regions_gdf("EPSG:3857"), "rid", "rname")
    merc = _analysis(merc_regions, fac(), dem(), case.radius_m).coverage()
    for col in ("area_km2", "area_covered_km2"):
        np.testing.assert_allclose(merc[col], ll[col], rtol=1e-4, atol=1e-9)
    cols = ["region_id", "kind", "demand_total", "demand_covered", "demand_redundant"]
    pd.testing.assert_frame_equal(merc[cols], ll[cols])
    # and the shapes came back to lon/lat
    back = merc_regions.to_geodataframe()
    assert back.crs == "EPSG:6668"
    for i, g in enumerate(case.region_geoms):
        assert shapely.symmetric_difference(back.geometry.iloc[i], g).area < 1e-9 * g.area


# -- result types ----------------------------------------------------------------

STRING, INT, FLOAT = "string", "int64", "float64"
COLUMNS = {
    "reach": {"demand_id": STRING, "region_id": STRING, "kind": STRING, "nearest_id": STRING,
              "nearest_index": INT, "distance_m": FLOAT, "n_within": INT, "lon": FLOAT,
              "lat": FLOAT},
    "coverage": {"region_id": STRING, "region_name": STRING, "kind": STRING,
                 "n_facilities": INT, "demand_total": FLOAT, "demand_covered": FLOAT,
                 "share_covered": FLOAT, "demand_redundant": FLOAT, "share_redundant": FLOAT,
                 "area_km2": FLOAT, "area_covered_km2": FLOAT, "share_area_covered": FLOAT},
    "gaps": {"region_id": STRING, "region_name": STRING, "kind": STRING, "area_km2": FLOAT,
             "n_parts": INT, "demand_uncovered": FLOAT},
    "service_areas": {"region_id": STRING, "region_name": STRING, "kind": STRING,
                      "area_km2": FLOAT},
    "assignment": {"demand_id": STRING, "region_id": STRING, "method": STRING,
                   "snap_distance_m": FLOAT},
}


def _check_dtypes(frame, spec):
    got = [c for c in frame.columns if c != "geometry"]
    assert got == list(spec)
    for col, kind in spec.items():
        dtype = frame[col].dtype
        if kind == STRING:
            # object before pandas 3, the "str" dtype from pandas 3 on
            assert pd.api.types.is_string_dtype(dtype), (col, dtype)
            assert all(isinstance(v, str) for v in frame[col]), col
        else:
            assert dtype == np.dtype(kind), (col, dtype)


def test_result_types_and_crs():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an = keep(zaitaku.Analysis.sample())
    frames = {"reach": an.reach(), "coverage": an.coverage(), "gaps": an.gaps(),
              "service_areas": an.service_areas(), "assignment": an.assignment()}
    for name, frame in frames.items():
        assert len(frame) > 0, name
        _check_dtypes(frame, COLUMNS[name])
    for name in ("reach", "coverage", "assignment"):
        assert not isinstance(frames[name], gpd.GeoDataFrame), name
    geo = {"gaps": frames["gaps"], "service_areas": frames["service_areas"],
           "service_areas by facility": an.service_areas(by="facility"),
           "regions": an.regions.to_geodataframe(),
           "facilities": an.facilities.to_geodataframe(),
           "demand": an.demand.to_geodataframe()}
    for name, frame in geo.items():
        assert isinstance(frame, gpd.GeoDataFrame), name
        assert frame.crs == CRS.from_epsg(6668), name
        assert frame.geometry.is_valid.all(), name
    # the sample's own figures (data/sample/README.md)
    cov = frames["coverage"]
    totals = cov.drop_duplicates("region_id").set_index("region_id")["demand_total"]
    assert totals.sum() == 318249 - 2  # all but the unassigned lighthouse rock
    assert totals["9903"] == 1370
    assert list(an.unassigned["demand_id"]) == ["60360234"]


def test_save_writes_what_is_in_memory(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an = keep(zaitaku.Analysis.sample(radius="12km"))
    written = an.save(tmp_path / "out", weight="age65")
    names = sorted(p.name for p in written)
    assert names == ["coverage.csv", "gaps.shp", "reach.csv", "service_areas.shp"]
    for name, frame in (("coverage.csv", an.coverage(weight="age65")), ("reach.csv", an.reach())):
        spec = COLUMNS[name[:-4]]
        strings = [c for c, k in spec.items() if k == STRING]
        numbers = {c: [""] for c, k in spec.items() if k != STRING}
        back = pd.read_csv(tmp_path / "out" / name, dtype={c: str for c in strings},
                           keep_default_na=False, na_values=numbers, encoding="utf-8")
        if name == "coverage.csv":  # what it counts, for a table read alone
            assert set(back.pop("weight")) == {"age65"}
            assert set(back.pop("threshold")) == {"12 km"}
        # (a CSV has no types: whole numbers such as 80880 read back as int)
        pd.testing.assert_frame_equal(back, frame, check_exact=True, check_dtype=False, obj=name)
    for name, frame in (("gaps.shp", an.gaps(weight="age65")), ("service_areas.shp", an.service_areas())):
        path = tmp_path / "out" / name
        assert path.with_suffix(".cpg").read_text().strip().upper() in ("UTF-8", "UTF8")
        assert CRS.from_wkt(path.with_suffix(".prj").read_text()).equals(CRS.from_epsg(6668),
                                                                        ignore_axis_order=True)
        back = gpd.read_file(path)
        assert list(back["region_id"]) == list(frame["region_id"])
        assert list(back["kind"]) == list(frame["kind"])
        np.testing.assert_allclose(back["area_km2"], frame["area_km2"], rtol=1e-9)
        for a, b in zip(back.geometry, frame.geometry):
            assert shapely.symmetric_difference(a, b).area <= 1e-12 * b.area


def test_string_columns_cross_in_one_call_as_cell_by_cell():
    """Table string columns come from one C call per column
    (cov_table_strings_all); they equal the strings read cell by cell
    (cov_table_string), Japanese names and empty cells included."""
    from zaitaku._ffi.core import _text
    from zaitaku._libcoverage import lib

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an = zaitaku.Analysis.sample()
    tables = {"reach": an._reach_table(None, None), "gaps": an._gaps_table(None, None, None),
              "regions": an.regions._table(lib.cov_regions_table)}
    checked = 0
    for name, table in tables.items():
        n = len(table)
        for j in range(lib.cov_table_ncols(table.ptr)):
            if lib.cov_table_column_type(table.ptr, j) != lib.COV_COL_STRING:
                continue
            cells = [_text(lib.cov_table_string(table.ptr, j, i)) for i in range(n)]
            assert table._strings(j, n) == cells, (name, j)
            checked += n
    assert checked > 10_000
    names = tables["regions"].to_frame(geometry=False).region_name
    assert any("\u3000" <= ch for ch in "".join(names))  # Japanese text crossed whole
    reach = tables["reach"].to_frame(geometry=False)
    assert (reach.region_id == "").any()  # the sample's unassigned units: empty, not None


def test_doctor_any_of_one_kind_is_that_kinds_land():
    """With one doctor kind, doctor_any has that kind's members, and its
    covered land, gaps and areas are that kind's (libcoverage shares the
    polygons of groups with the same members); doctor_and_nursing is the
    intersection with the nurses' land, as computed by shapely."""
    import geopandas as gpd

    from zaitaku.sample import sample_path

    fac = pd.read_csv(sample_path("facilities.csv"), dtype={"facility_id": str})
    fac = fac[fac.kind.isin(["zaishin", "nursing"])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        base = zaitaku.Analysis.sample()
        an = zaitaku.Analysis(base.regions, zaitaku.read_facilities(fac, kind_field="kind"),
                              base.demand)
    cov = an.coverage().set_index(["region_id", "kind"])
    gaps = an.gaps().set_index(["region_id", "kind"])
    land = an.service_areas().set_index(["region_id", "kind"])
    for rid in an.regions.ids:
        for col in ("area_covered_km2", "share_covered", "demand_covered"):
            assert cov.loc[(rid, "doctor_any"), col] == cov.loc[(rid, "zaishin"), col]
        for table in (gaps, land):
            if (rid, "zaishin") in table.index:
                a, b = table.loc[(rid, "doctor_any")], table.loc[(rid, "zaishin")]
                assert a.area_km2 == b.area_km2 and a.geometry.equals_exact(b.geometry, 0)
            else:
                assert (rid, "doctor_any") not in table.index
        if (rid, "doctor_and_nursing") in land.index:
            want = shapely.intersection(land.loc[(rid, "zaishin")].geometry,
                                        land.loc[(rid, "nursing")].geometry)
            got = land.loc[(rid, "doctor_and_nursing")].geometry
            # C intersects in its projected CRS, shapely here in lon/lat
            assert shapely.symmetric_difference(got, want).area < 1e-7 * want.area
    assert isinstance(an.gaps(), gpd.GeoDataFrame)


def test_areas_from_pieces_equal_the_whole_overlay():
    """Coverage's areas come from the region cut into pieces of at most
    2,000 points (each overlaid alone, or taken whole or not at all when a
    reach holds or misses its box); on a region of 20,000 points with one
    circle inside and one across its border they equal the areas of the
    gaps made by overlaying the whole region, and the inside circle's land
    is the inscribed 128-gon."""
    box = shapely.segmentize(shapely.box(140.0, 42.0, 142.0, 44.0), 0.0004)
    assert shapely.get_num_coordinates(box) > 19_000
    reg = zaitaku.read_regions(gpd.GeoDataFrame({"id": ["1"]}, geometry=[box], crs=6668), "id")
    fac = pd.DataFrame({"facility_id": ["N1", "Z1", "Z2"],
                        "kind": ["nursing", "zaishin", "zaishin"],
                        "lon": [141.0, 140.05, 141.7], "lat": [43.0, 43.0, 42.3]})
    dem = pd.DataFrame({"id": ["p"], "lon": [141.0], "lat": [43.0]})

    def analysis():
        return keep(zaitaku.Analysis(reg, zaitaku.read_facilities(fac, kind_field="kind"),
                                     zaitaku.read_demand(dem, id_field="id", lon_field="lon",
                                                         lat_field="lat"), radius=16000))

    pieces = analysis().coverage().set_index("kind")
    whole_an = analysis()
    gaps = whole_an.gaps().set_index("kind")  # the whole region overlaid first
    whole = whole_an.coverage().set_index("kind")
    for kind in ("nursing", "zaishin", "doctor_any", "doctor_and_nursing"):
        assert pieces.loc[kind, "area_covered_km2"] == pytest.approx(
            whole.loc[kind, "area_covered_km2"], rel=1e-9)
        assert pieces.loc[kind, "area_km2"] - pieces.loc[kind, "area_covered_km2"] == \
            pytest.approx(gaps.loc[kind, "area_km2"], rel=1e-9)
    assert pieces.loc["nursing", "area_covered_km2"] == pytest.approx(
        ngon_area_m2(16000, 128) / 1e6, rel=1e-4)
    # Z1's circle is cut by the border: less than two whole circles
    assert ngon_area_m2(16000, 128) / 1e6 < pieces.loc["zaishin", "area_covered_km2"] < \
        2 * ngon_area_m2(16000, 128) / 1e6
