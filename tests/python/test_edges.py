"""People are neither invented nor lost at the edges (issue 21): the coastal
rule never takes cells on a neighbour's land, and snapping never strands
people on road fragments. Checked against shapely spatial joins and, on the
real Sapporo data, against the wards' own polygons."""
import json
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

import zaitaku

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("COV_SHARED_DATA", ROOT.parent / "shared" / "data"))


def boxes(spec):
    """Regions from {id: (lon0, lat0, lon1, lat1)}."""
    import geopandas as gpd

    frame = gpd.GeoDataFrame({"id": list(spec), "name": list(spec)},
                             geometry=[shapely.box(*b) for b in spec.values()], crs="EPSG:6668")
    return zaitaku.read_regions(frame, "id", "name"), frame


def test_land_layer_keeps_neighbours_cells_out():
    # two wards; a town east and one south (land); sea west and north
    regions, wards = boxes({"A": (141.0, 43.0, 141.2, 43.2), "B": (141.2, 43.0, 141.4, 43.2)})
    land, towns = boxes({"C": (141.4, 43.0, 141.6, 43.2), "D": (141.0, 42.8, 141.4, 43.0)})
    rng = np.random.default_rng(7)
    lon = rng.uniform(140.95, 141.65, 4000)
    lat = rng.uniform(42.95, 43.25, 4000)
    w = rng.integers(1, 100, 4000).astype(float)
    pts = pd.DataFrame({"id": [f"u{i}" for i in range(len(lon))], "lon": lon, "lat": lat, "w": w})
    dem = zaitaku.read_demand(pts, id_field="id", lon_field="lon", lat_field="lat",
                              weight_fields=["w"])
    fac = zaitaku.read_facilities(pd.DataFrame({"facility_id": ["N1"], "name": ["n"],
                                                "kind": ["nursing"], "lon": [141.2],
                                                "lat": [43.1]}),
                                  kind_field="kind", name_field="name")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an = zaitaku.Analysis(regions, fac, dem, land=land)
    got = an.assignment().set_index("demand_id")
    # independent: shapely point-in-polygon for wards and towns
    p = shapely.points(lon, lat)
    in_ward = {r: shapely.contains(g, p) for r, g in zip(wards.id, wards.geometry)}
    on_town = np.any([shapely.contains(g, p) for g in towns.geometry], axis=0)
    inside = in_ward["A"] | in_ward["B"]
    method = got.loc[pts.id, "method"].to_numpy()
    assert (method[inside] == "inside").all()
    assert (method[on_town & ~inside] == "outside_land").all()
    # sea cells may still join (the coastal rule is for them); land cells never
    sea = ~inside & ~on_town
    assert set(method[sea]) <= {"snapped", "unassigned"}
    assert (method[sea] == "snapped").any()
    region = got.loc[pts.id, "region_id"].to_numpy()
    for r in ("A", "B"):
        snapped_sea = (region == r) & sea
        assert w[region == r].sum() == pytest.approx(w[in_ward[r]].sum() + w[snapped_sea].sum())

    # without the land layer the old rule takes the towns' border cells, and says so
    with pytest.warns(zaitaku.CoverageWarning, match="look like part of the land"):
        old = zaitaku.Analysis(regions, fac, dem)
    taken = old.assignment().set_index("demand_id").loc[pts.id, "region_id"].to_numpy()
    assert ((taken != "") & on_town).any()


def test_land_must_be_regions():
    an_inputs = zaitaku.Analysis.sample
    with pytest.raises(TypeError, match="land needs Regions"):
        an_inputs(land="municipalities.shp")


ROADS = DATA / "raw/roads-sapporo-authorized-road-geomonly/sapporo_authorized_road_202111.shp"
N03 = DATA / "hokkaido_n03_shapefile_cp932/N03-22_01_220101.shp"
MESH = DATA / "raw/census2010_mesh500m_hokkaido_colspan/population_mesh_third_half.csv"
STATIONS = DATA / "raw/visiting_nursing_stations_mhlw_kaigo_osawa/clinics_geo.json"


@pytest.mark.skipif(not (ROADS.exists() and N03.exists() and MESH.exists()),
                    reason=f"shared data absent ({DATA}; set COV_SHARED_DATA)")
def test_sapporo_wards_and_fragments():
    import geopandas as gpd

    munis = zaitaku.read_regions(N03, "N03_007", "N03_004")
    table = pd.read_csv(DATA / "hokkaido_municipality_2ji_iryoken.csv", dtype=str)
    ward_codes = sorted(table.muni_code[table.muni_code.str.startswith("011")])
    n03 = gpd.read_file(N03, encoding="cp932")
    wards = n03[n03.N03_007.isin(ward_codes)].dissolve("N03_007")
    mapping = pd.DataFrame({"muni_code": ward_codes, "ward": ward_codes, "name": ward_codes})
    regions = munis.dissolve(mapping, "muni_code", "ward", "name")
    dem = zaitaku.read_demand(MESH, mesh_field="1", weight_fields=["2"], header=False)
    st = pd.DataFrame(json.loads(STATIONS.read_text(encoding="utf-8")))
    st = st[st.id.str.startswith("01") & st.n.str.contains("訪問看護")]
    fac = zaitaku.read_facilities(pd.DataFrame({"facility_id": st.id, "name": st.n,
                                                "kind": "nursing", "lon": st.lg,
                                                "lat": st["lt"]}),
                                  kind_field="kind", name_field="name")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an = zaitaku.Analysis(regions, fac, dem, land=munis)
    cov = an.coverage("16km", area=False)
    total = cov[cov.kind == "nursing"].demand_total.sum()
    # independent: the cells whose centroid lies in a ward's polygon
    assign = an.assignment()
    bounds = np.array([zaitaku.decode_mesh(c) for c in assign.demand_id])
    lon = (bounds[:, 0] + bounds[:, 2]) / 2
    lat = (bounds[:, 1] + bounds[:, 3]) / 2
    inside = shapely.contains(shapely.union_all(wards.geometry.to_numpy()),
                              shapely.points(lon, lat))
    raw = pd.read_csv(MESH, header=None, dtype={0: str})
    weight = raw.set_index(0)[1].reindex(assign.demand_id).to_numpy(dtype=float)
    join = weight[inside].sum()
    print(f"Sapporo wards: {total:,.0f} people with the land layer, {join:,.0f} by a spatial join")
    assert total == pytest.approx(join, abs=0.5)

    net = zaitaku.read_network(ROADS)
    old_net = zaitaku.read_network(ROADS, snap_to="any")
    in_city = assign.region_id.to_numpy() != ""
    lon_c, lat_c = lon[in_city], lat[in_city]
    snap = net.snap(lon_c, lat_c)
    old = old_net.snap(lon_c, lat_c)
    moved = snap.moved_off_fragment.to_numpy() == 1
    w_city = weight[in_city]
    print(f"Sapporo: {int(moved.sum())} cells ({w_city[moved].sum():,.0f} people) moved off "
          f"fragments; old rule snapped {int(old.snapped.sum())}, new {int(snap.snapped.sum())}")
    assert (old.moved_off_fragment == 0).all()
    # a cell the old rule snapped and the new one does not had only a
    # fragment within the cap: it says it moved
    lost = (old.snapped.to_numpy() == 1) & (snap.snapped.to_numpy() == 0)
    assert moved[lost].all()

    def unreachable_at_90min(network, snapped):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", zaitaku.CoverageWarning)
            road = zaitaku.Analysis(regions, fac, dem, land=munis)
            road = road.with_network(network, metric="time")
            reach = road.reach("nursing", radius="90min")
        reach = reach.set_index("demand_id").loc[assign.demand_id[in_city]]
        return (snapped.to_numpy() == 1) & reach.nearest_id.fillna("").eq("").to_numpy()

    before = unreachable_at_90min(old_net, old.snapped)
    after = unreachable_at_90min(net, snap.snapped)
    print(f"Sapporo: snapped cells unreachable at 90 min: {int(before.sum())} "
          f"({w_city[before].sum():,.0f} people) snapping to any edge, {int(after.sum())} "
          f"snapping to the routable component")
    assert before.sum() > 0  # the old rule strands people on fragments
    assert after.sum() == 0
