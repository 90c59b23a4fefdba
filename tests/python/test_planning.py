"""zaitaku.planning against independent computations.

- The designation optimiser against an exact MILP (PuLP with CBC) on
  random small instances: never below 0.95 of the optimum, equal on
  instances built with an obvious optimum; fixed leads kept and one lead per
  region with a candidate, always. Reach is recomputed here with
  pyproj.Geod (GRS80), the objective from the picks, not from the library's
  own sums.
- 2SFCA and E2SFCA against a direct numpy implementation.
- Policy shares against brute force over pyproj.Geod distances.
- Gap clusters against a union-find over mesh-grid indices computed from
  the codes' digits (8 neighbours) and over pairwise geodesic links.
- JMAP weights in closed form.
"""
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

import zaitaku
from zaitaku import planning

pulp = pytest.importorskip("pulp")
GEOD = Geod(ellps="GRS80")


def squares(n, lon0=141.0, lat0=43.0, size=0.2):
    """n square regions side by side, ids R0.. ."""
    geoms = [shapely.box(lon0 + i * size, lat0, lon0 + (i + 1) * size, lat0 + size)
             for i in range(n)]
    gdf = gpd.GeoDataFrame({"rid": [f"R{i}" for i in range(n)]}, geometry=geoms, crs="EPSG:6668")
    return zaitaku.read_regions(gdf, "rid")


def dist_matrix(flon, flat, ulon, ulat):
    """Geodesic distances (facilities x units), metres."""
    F, U = len(flon), len(ulon)
    _, _, d = GEOD.inv(np.repeat(flon, U), np.repeat(flat, U), np.tile(ulon, F), np.tile(ulat, F))
    return np.asarray(d).reshape(F, U)


def keep_clear(d, r):
    """Instances where no unit lies within a millimetre of the radius (which
    side it falls on would be rounding, not the algorithm)."""
    return not np.any(np.abs(d - r) < 1e-3)


def make_analysis(n_regions, fac, units, radius="8km"):
    regions = squares(n_regions)
    facilities = zaitaku.read_facilities(fac, kind_field="kind", roles_field="role",
                                         capacity_field="capacity")
    demand = zaitaku.read_demand(units, id_field="uid", lon_field="lon", lat_field="lat",
                                 weight_fields=["w"])
    return zaitaku.Analysis(regions, facilities, demand, radius=radius)


def random_instance(seed, n_regions=3, n_fac=10, n_units=80):
    rng = np.random.default_rng(seed)
    lon_hi = 141.0 + 0.2 * n_regions
    fac = pd.DataFrame({
        "facility_id": [f"F{i}" for i in range(n_fac)],
        "kind": rng.choice(["zaishin", "enhanced_single", "zaibyo", "hospital"], n_fac,
                           p=[0.5, 0.2, 0.15, 0.15]),
        "lon": rng.uniform(141.005, lon_hi - 0.005, n_fac),
        "lat": rng.uniform(43.005, 43.195, n_fac),
        "role": [""] * n_fac, "capacity": rng.integers(1, 6, n_fac).astype(float)})
    fac.loc[rng.random(n_fac) < 0.15, "role"] = "lead"
    units = pd.DataFrame({
        "uid": [f"u{i}" for i in range(n_units)],
        "lon": rng.uniform(141.002, lon_hi - 0.002, n_units),
        "lat": rng.uniform(43.002, 43.198, n_units),
        "w": rng.integers(1, 100, n_units).astype(float)})
    return fac, units


def region_index(lon, n_regions):
    return np.minimum(((np.asarray(lon) - 141.0) / 0.2).astype(int), n_regions - 1)


def covering(prob, y, cover, w, pref, cand, fixed, tag=""):
    """Adds to prob the assignment of each unit to at most one selected
    facility reaching it (x_uf <= y_f, the fixed always open); returns the
    objective sum of w_u pref_f x_uf."""
    F, U = cover.shape
    x = {(u, f): pulp.LpVariable(f"x{tag}{u}_{f}", 0, 1) for f in range(F) for u in range(U)
         if cover[f, u] and (cand[f] or fixed[f])}
    for u in range(U):
        terms = [v for (uu, f), v in x.items() if uu == u]
        if terms:
            prob += pulp.lpSum(terms) <= 1
    for (u, f), v in x.items():
        if not fixed[f]:
            prob += v <= y[f]
    return pulp.lpSum(w[u] * pref[f] * v for (u, f), v in x.items())


def designation_rows(prob, y, fixed, region, budget, one_per_region=True):
    """The budget and the one-lead-per-region rows."""
    prob += pulp.lpSum(y.values()) <= budget
    if one_per_region:
        for r in set(region[f] for f in y):
            if not any(fixed[f] and region[f] == r for f in range(len(fixed))):
                prob += pulp.lpSum(y[f] for f in y if region[f] == r) >= 1


def milp(cover, w, pref, cand, fixed, region, budget, one_per_region=True):
    """Exact optimum of the maximal covering with preferences; returns the
    objective."""
    F, U = cover.shape
    prob = pulp.LpProblem("designate", pulp.LpMaximize)
    y = {f: pulp.LpVariable(f"y{f}", cat="Binary") for f in range(F) if cand[f] and not fixed[f]}
    prob += covering(prob, y, cover, w, pref, cand, fixed)
    designation_rows(prob, y, fixed, region, budget, one_per_region)
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    assert pulp.LpStatus[prob.status] == "Optimal"
    return pulp.value(prob.objective)


def objective_of(picked, cover, w, pref):
    best = np.zeros(cover.shape[1])
    for f in picked:
        best = np.maximum(best, np.where(cover[f], pref[f], 0.0))
    return float(np.sum(w * best)), float(np.sum(w[best > 0]))


def instance(seed, radius=8000.0):
    """A random instance with its reach (pyproj), candidates (在支診/在支病
    kinds), fixed (lead role), regions and a budget that gives every region
    needing a lead one."""
    fac, units = random_instance(seed)
    d = dist_matrix(fac.lon.to_numpy(), fac.lat.to_numpy(), units.lon.to_numpy(),
                    units.lat.to_numpy())
    if not keep_clear(d, radius):
        pytest.skip("a unit within a millimetre of the radius")
    cand = fac.kind.isin(["zaishin", "enhanced_single", "zaibyo"]).to_numpy()
    fixed = (fac.role == "lead").to_numpy()
    region = region_index(fac.lon, 3)
    needy = {r for r in region[cand & ~fixed]} - {r for r in region[fixed]}
    budget = max(2 + seed % 3, len(needy))
    return fac, units, d <= radius, cand, fixed, region, budget


@pytest.mark.parametrize("seed", range(24))
def test_designation_against_milp(seed):
    fac, units, cover, cand, fixed, region, budget = instance(seed)
    radius = 8000.0
    w = units.w.to_numpy()
    ew = 1.0 if seed % 2 else 1.25
    pref = np.where(fac.kind == "enhanced_single", ew, 1.0)
    needy = {r for r in region[cand & ~fixed]} - {r for r in region[fixed]}
    an = make_analysis(3, fac, units)
    picks, regions = planning.designate(an, budget=budget, threshold=radius, enhanced_weight=ew)
    idx = {fid: i for i, fid in enumerate(fac.facility_id)}
    picked = [idx[f] for f in picks.facility_id]
    # constraints: fixed kept, budget, one per region with a candidate
    assert set(np.flatnonzero(fixed)) <= set(picked)
    new = [f for f in picked if not fixed[f]]
    assert len(new) <= budget and all(cand[f] for f in new)
    for r in needy:
        assert any(region[f] == r for f in new), f"region R{r} got no lead"
    got, covered = objective_of(picked, cover, w, pref)
    best = milp(cover, w, pref, cand, fixed, region, budget)
    assert got >= 0.95 * best - 1e-9, (got, best)
    assert got <= best + 1e-6  # a feasible solution cannot beat the optimum
    # the table's own figures agree with the recomputation
    assert picks.gain_objective.sum() == pytest.approx(got, rel=1e-12)
    assert picks.covered_demand_cumulative.iloc[-1] == pytest.approx(covered, rel=1e-12)
    assert regions.covered_after.sum() == pytest.approx(covered, rel=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_designation_obvious_optimum(seed):
    """k heavy clusters, each reached by exactly one candidate, far apart;
    decoys reach only light units. The optimum takes the k heavy ones."""
    rng = np.random.default_rng(100 + seed)
    k = 2 + seed % 3
    centres = [(141.03 + 0.11 * i, 43.05 + 0.1 * (i % 2)) for i in range(k)]
    rows, urows = [], []
    for i, (x, y) in enumerate(centres):
        rows.append((f"G{i}", "zaishin", x, y))
        for j in range(5):
            urows.append((f"h{i}_{j}", x + rng.uniform(-0.01, 0.01), y + rng.uniform(-0.01, 0.01),
                           1000.0))
        rows.append((f"D{i}", "zaishin", x + 0.045, y + 0.045))  # 6+ km away: misses the cluster
        urows.append((f"l{i}", x + 0.05, y + 0.05, 1.0))
    fac = pd.DataFrame(rows, columns=["facility_id", "kind", "lon", "lat"])
    fac["role"], fac["capacity"] = "", 1.0
    units = pd.DataFrame(urows, columns=["uid", "lon", "lat", "w"])
    d = dist_matrix(fac.lon.to_numpy(), fac.lat.to_numpy(), units.lon.to_numpy(),
                    units.lat.to_numpy())
    cover = d <= 3000.0
    assert cover[::2].sum() == 5 * k and not np.any(cover[1::2][:, units.w.to_numpy() > 1])
    an = make_analysis(3, fac, units)
    picks, _ = planning.designate(an, budget=k, threshold=3000.0, one_per_region=False)
    assert sorted(picks.facility_id) == sorted(f"G{i}" for i in range(k))
    pref = np.ones(len(fac))
    best = milp(cover, units.w.to_numpy(), pref, np.ones(len(fac), bool),
                np.zeros(len(fac), bool), region_index(fac.lon, 3), k, one_per_region=False)
    assert picks.gain_objective.sum() == pytest.approx(best) == 5000.0 * k


def test_designation_errors_and_target():
    fac, units = random_instance(3)
    an = make_analysis(3, fac, units)
    with pytest.raises(zaitaku.InvalidArgumentError, match="budget"):
        planning.designate(an, budget=1, fixed=[], threshold="8km")
    with pytest.raises(KeyError, match="nope"):
        planning.designate(an, fixed=["nope"])
    picks, _ = planning.designate(an, target_share=0.5, threshold="8km", one_per_region=False)
    assert picks.share_covered_cumulative.iloc[-1] >= 0.5
    assert len(picks) == 1 or picks.share_covered_cumulative.iloc[-2] < 0.5
    with pytest.raises(ValueError, match="needs a road network"):
        planning.designate(an, threshold="30min")


def direct_2sfca(d, supply, w, limits, weights):
    """A_k = sum_j W(d_kj) S_j / sum_k' W(d_k'j) P_k' straight from the
    definition, with dense matrices."""
    W = np.zeros_like(d)
    for lim, wt in reversed(list(zip(limits, weights))):  # inner bands win
        W[d <= lim] = wt
    denom = W @ w
    ratio = np.divide(supply, denom, out=np.zeros_like(supply), where=denom > 0)
    return W.T @ ratio, W


def gini(x, p):
    diff = np.abs(x[:, None] - x[None, :])
    return np.sum(p[:, None] * p[None, :] * diff) / (2 * p.sum() ** 2 * np.average(x, weights=p))


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("e2", [False, True])
def test_2sfca_against_numpy(seed, e2):
    fac, units = random_instance(200 + seed, n_fac=12, n_units=120)
    doctors = ~fac.kind.isin(["nursing"])
    d = dist_matrix(fac.lon.to_numpy(), fac.lat.to_numpy(), units.lon.to_numpy(),
                    units.lat.to_numpy())
    limits, weights = ([3000.0, 6000.0, 9000.0], [1.0, 0.6, 0.25]) if e2 else ([9000.0], [1.0])
    if not keep_clear(d, 3000.0) or not keep_clear(d, 6000.0) or not keep_clear(d, 9000.0):
        pytest.skip("a unit within a millimetre of a band limit")
    an = make_analysis(3, fac, units)
    kw = dict(bands=limits, weights=weights) if e2 else dict(threshold=9000.0)
    got_units, got_regions = planning.access(an, supply="capacity", **kw)
    expect, _ = direct_2sfca(d[doctors.to_numpy()], fac.capacity.to_numpy()[doctors.to_numpy()],
                             units.w.to_numpy(), limits, weights)
    np.testing.assert_allclose(got_units.access.to_numpy(), expect, rtol=1e-12, atol=1e-15)
    reg = region_index(units.lon, 3)
    for r in range(3):
        m = reg == r
        row = got_regions[got_regions.region_id == f"R{r}"].iloc[0]
        x, p = expect[m], units.w.to_numpy()[m]
        assert row["mean"] == pytest.approx(np.average(x, weights=p), rel=1e-12)
        assert row["sd"] == pytest.approx(np.sqrt(np.average((x - np.average(x, weights=p)) ** 2,
                                                             weights=p)), rel=1e-9, abs=1e-15)
        if x.sum() > 0:
            assert row["gini"] == pytest.approx(gini(x, p), rel=1e-9)


def test_access_errors():
    an = zaitaku.Analysis.sample()
    with pytest.raises(zaitaku.InvalidValueError, match="has no beds"):
        planning.access(an, supply="beds")
    with pytest.raises(ValueError, match="supply must be"):
        planning.access(an, supply="nurses")
    with pytest.raises(zaitaku.InvalidArgumentError, match="increase"):
        planning.access(an, bands=["5km", "2km"])


@pytest.mark.parametrize("seed", range(5))
def test_policy_shares_against_brute_force(seed):
    fac, units = random_instance(300 + seed, n_fac=14, n_units=150)
    fac.loc[fac.index[::4], "kind"] = "nursing"
    d = dist_matrix(fac.lon.to_numpy(), fac.lat.to_numpy(), units.lon.to_numpy(),
                    units.lat.to_numpy())
    r16, rdoc, rnur = 9000.0, 7000.0, 5000.0
    if not all(keep_clear(d, r) for r in (r16, rdoc, rnur)):
        pytest.skip("a unit within a millimetre of a threshold")
    an = make_analysis(3, fac, units)
    table = planning.check(an, rule16=r16, doctor_threshold=rdoc, nursing_threshold=rnur)
    hc = fac.kind.isin(["zaishin", "enhanced_single", "enhanced_network", "zaibyo"]).to_numpy()
    doc = fac.kind.isin(["zaishin", "enhanced_single", "zaibyo", "hospital"]).to_numpy()
    nur = (fac.kind == "nursing").to_numpy()
    w = units.w.to_numpy()
    reg = region_index(units.lon, 3)
    for r in range(3):
        m = reg == r
        got = table[table.region_id == f"R{r}"].set_index("check")
        tot = w[m].sum()
        assert got.loc["rule16", "value"] == pytest.approx(
            w[m & (d[hc] <= r16).any(0)].sum() / tot, rel=1e-12)
        assert got.loc["rule16_exception", "value"] == pytest.approx(
            w[m & ~(d[doc] <= r16).any(0)].sum(), abs=1e-9)
        assert got.loc["nursing", "value"] == pytest.approx(
            w[m & (d[nur] <= rnur).any(0)].sum() / tot, rel=1e-12)
        assert got.loc["redundancy", "value"] == pytest.approx(
            w[m & ((d[hc] <= rdoc).sum(0) >= 2)].sum() / tot, rel=1e-12)
        in_r = region_index(fac.lon, 3) == r
        assert got.loc["lead", "value"] == ((fac.role == "lead").to_numpy() & in_r).sum()
        assert got.loc["home_care", "passed"] == int((hc & in_r).any())


class UnionFind:
    def __init__(self, n):
        self.p = list(range(n))

    def find(self, x):
        while self.p[x] != x:
            self.p[x] = self.p[self.p[x]]
            x = self.p[x]
        return x

    def union(self, a, b):
        self.p[self.find(a)] = self.find(b)


def test_mesh_clusters_on_the_sample():
    """Cells without a nurse within 16 km, linked with their 8 neighbours
    inside one area, from grid indices computed from the codes' digits."""
    an = zaitaku.Analysis.sample()
    reach = an.reach(kind="nursing")
    demand = an.demand.to_geodataframe()
    gap = reach[(reach.n_within == 0) & (reach.region_id != "")].merge(
        demand[["demand_id", "total"]], on="demand_id")
    gap = gap[gap.total > 0].reset_index(drop=True)
    code = gap.demand_id
    row = code.str[0:2].astype(int) * 80 + code.str[4].astype(int) * 10 + code.str[6].astype(int)
    col = code.str[2:4].astype(int) * 80 + code.str[5].astype(int) * 10 + code.str[7].astype(int)
    uf = UnionFind(len(gap))
    at = {(r, c): i for i, (r, c) in enumerate(zip(row, col))}
    for i, (r, c) in enumerate(zip(row, col)):
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                j = at.get((r + dr, c + dc))
                if j is not None and gap.region_id[j] == gap.region_id[i]:
                    uf.union(i, j)
    roots = pd.Series([uf.find(i) for i in range(len(gap))])
    expect = gap.groupby(roots).total.sum().sort_values(ascending=False).to_numpy()
    got = planning.clusters(an)
    assert len(got) == len(expect) > 1
    np.testing.assert_allclose(got.demand.to_numpy(), expect)
    assert got.n_units.sum() == len(gap)
    # the geometry is the union of the cells: its geodesic area is area_km2
    big = got.iloc[0]
    area, _ = GEOD.geometry_area_perimeter(shapely.segmentize(big.geometry, 0.001))
    assert abs(area) / 1e6 == pytest.approx(big.area_km2, rel=1e-6)


def test_point_clusters_and_sites():
    fac, units = random_instance(7, n_fac=4, n_units=120)
    fac["kind"] = "nursing"
    an = make_analysis(3, fac, units)
    d = dist_matrix(fac.lon.to_numpy(), fac.lat.to_numpy(), units.lon.to_numpy(),
                    units.lat.to_numpy())
    unc = ~(d <= 5000.0).any(0)
    lon, lat = units.lon.to_numpy(), units.lat.to_numpy()
    reg = region_index(lon, 3)
    idx = np.flatnonzero(unc)
    uu = dist_matrix(lon[idx], lat[idx], lon[idx], lat[idx])
    uf = UnionFind(len(idx))
    for a in range(len(idx)):
        for b in range(len(idx)):
            if uu[a, b] <= 3000.0 and reg[idx[a]] == reg[idx[b]]:
                uf.union(a, b)
    roots = pd.Series([uf.find(i) for i in range(len(idx))])
    expect = pd.Series(units.w.to_numpy()[idx]).groupby(roots).sum().sort_values(
        ascending=False).to_numpy()
    got = planning.clusters(an, threshold="5km", link="3km")
    np.testing.assert_allclose(got.demand.to_numpy(), expect)
    # sites: greedy over uncovered units with radius 4 km, recomputed
    s = planning.sites(an, n=3, threshold="5km", radius="4km")
    w = units.w.to_numpy()[idx]
    left = np.ones(len(idx), bool)
    for k in range(3):
        gains = np.array([(w * left * (uu[c] <= 4000.0)).sum() for c in range(len(idx))])
        assert s.gain_demand.iloc[k] == pytest.approx(gains.max())
        c = list(units.uid[idx]).index(s.demand_id.iloc[k])
        assert gains[c] == pytest.approx(gains.max())
        left &= ~(uu[c] <= 4000.0)


def test_facility_attributes_from_frames_and_errors(tmp_path):
    frame = pd.DataFrame({"facility_id": ["a", "b", "c"], "kind": ["zaishin"] * 3,
                          "lon": [141.0, 141.1, 141.2], "lat": [43.0] * 3,
                          "role": ["lead;hub", None, "拠点"], "h24": [True, "無", None],
                          "beds": [19, None, 0]})
    fac = zaitaku.read_facilities(frame, kind_field="kind", roles_field="role", h24_field="h24",
                                  beds_field="beds")
    att = planning.facility_attributes(fac)
    assert att.lead.tolist() == [True, False, False]
    assert att.hub.tolist() == [True, False, True]
    assert att.h24.tolist() == [1, 0, -1]
    assert att.beds.iloc[0] == 19 and np.isnan(att.beds.iloc[1])
    frame.loc[1, "role"] = "boss"
    with pytest.raises(zaitaku.InvalidValueError, match=r"entry 1, field roles \(facility b\)"):
        zaitaku.read_facilities(frame, kind_field="kind", roles_field="role")
    frame.loc[1, "role"] = ""
    frame.loc[2, "h24"] = "maybe"
    with pytest.raises(zaitaku.InvalidValueError, match="row 2, field h24"):
        zaitaku.read_facilities(frame, roles_field="role", h24_field="h24")
    path = tmp_path / "f.csv"
    frame.assign(h24=["1", "0", ""]).to_csv(path, index=False)
    fac = zaitaku.read_facilities(path, roles_field="role", h24_field="h24", beds_field="beds")
    assert planning.facility_attributes(fac).h24.tolist() == [1, 0, -1]
    frame.assign(beds=[1, -2, 0]).to_csv(path, index=False)
    with pytest.raises(zaitaku.InvalidValueError, match=r"f.csv line 3, field beds"):
        zaitaku.read_facilities(path, beds_field="beds")


def test_sample_policy_and_plan():
    an = zaitaku.Analysis.sample()
    table = planning.check(an, wide=True).set_index("region_id")
    # the sample's lead (H001) is in 中央; the island has no clinic
    assert table.loc["9901", "lead"] == 1 and table.loc["9902", "lead"] == 0
    assert table.loc["9903", "home_care"] == 0
    counts = planning.check(an, home_care_counts={"9901": 0, "9903": 4}).set_index(
        ["region_id", "check"])
    assert counts.loc[("9901", "home_care"), "passed"] == 0
    assert counts.loc[("9903", "home_care"), "value"] == 4
    plain = planning.check(an).set_index(["region_id", "check"])
    assert counts.loc[("9902", "home_care"), "value"] == plain.loc[("9902", "home_care"), "value"]
    with pytest.raises(KeyError, match="no region '0101'"):
        planning.check(an, home_care_counts={"0101": 1})
    picks, regions = planning.designate(an, budget=2)
    assert picks.facility_id.iloc[0] == "H001" and picks.reason.iloc[0] == "fixed"
    assert (picks.region_id == "9902").any()
    status = regions.set_index("region_id").status
    assert status["9903"].startswith("no candidate")


def test_subareas_of_the_sample():
    """Municipalities as sub-areas of the sample's areas: the ones holding
    a lead are found here with shapely, the parents from areas.csv."""
    munis = zaitaku.read_regions(zaitaku.sample_path("municipalities.shp"), "muni_code",
                                 "muni_name")
    an = zaitaku.Analysis.sample()
    parent = pd.read_csv(zaitaku.sample_path("areas.csv"), dtype=str)
    parent = dict(zip(parent.muni_code, parent.area_code))
    table = planning.check(an, subareas=munis, subarea_parent=parent)
    polys = munis.to_geodataframe()
    fac = an.facilities.to_geodataframe()
    leads = fac[planning.facility_attributes(an.facilities).lead.to_numpy()]
    with_lead = {m for m, g in zip(polys.region_id, polys.geometry) if leads.within(g).any()}
    for area in ("9901", "9902", "9903"):
        subs = [m for m, p in parent.items() if p == area and m in set(polys.region_id)]
        lacking = [m for m in subs if m not in with_lead]
        row = table[(table.region_id == area) & (table.check == "subareas")].iloc[0]
        assert row.value == len(lacking)
        assert row.passed == int(not lacking)
    # parents found from a point inside each municipality: the same table
    pdt_table = planning.check(an, subareas=munis)
    pd.testing.assert_frame_equal(pdt_table, table)


def test_jmap_weights():
    got = planning.jmap_weights([10, 0], [20, 0], [30, 0], [40, 0], [50, 1])
    np.testing.assert_allclose(got, [0.6 * 10 + 0.4 * 20 + 30 + 2.3 * 40 + 3.9 * 50, 3.9])
    with pytest.raises(zaitaku.InvalidValueError, match="age group 75"):
        planning.jmap_weights([1], [1], [1], [1], [np.nan])
