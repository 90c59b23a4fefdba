"""Designation candidates (issue 13): by default leads come from 在支診/在支病,
hospitals whose beds are all psychiatric are left out unless asked for, and
every facility left out is listed with its reason.

A generated case whose best pick is found here by brute force (geodesic
distances with pyproj), the readers' bed columns against the raw cells, the
command line and the report against the API, and the real Hokkaido
医療情報ネット file (skipped when ``COV_SHARED_DATA`` is absent) against a
count made with the csv module.
"""
import csv
import io
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

import zaitaku
from zaitaku import official, planning

from realdata import DATA, quiet, real
from test_cli import run_module

IRYOJOHO = (DATA / "raw" / "mhlw_iryojoho_net_hospitals_20250601"
            / "01-1_hospital_facility_info_20250601.zip")
N03_SHP = DATA / "hokkaido_n03_shapefile_cp932" / "N03-22_01_220101.shp"
MESH_2010 = DATA / "raw" / "census2010_mesh500m_hokkaido_colspan" / "population_mesh_third_half.csv"
GEOD = Geod(ellps="GRS80")
RADIUS = 8000.0


# ---------------------------------------------------------------- a generated case

CENTRE = (141.1, 43.1)   # the heavy cluster, in R0, where PSY stands


def generated(seed):
    """Two square regions (0.2 degree); in each some hospitals and 在支病 at
    random, none within 9.5 km of the heavy cluster (50,000 people within
    1.5 km of CENTRE), which only PSY, a psychiatric-only hospital, reaches;
    and a hospital OUT outside both regions."""
    rng = np.random.default_rng(seed)
    rows = []
    while len(rows) < 10:  # five per region
        west = 141.01 + 0.2 * (len(rows) % 2)
        lon, lat = rng.uniform(west, west + 0.18), rng.uniform(43.01, 43.19)
        if GEOD.inv(lon, lat, *CENTRE)[2] > 9500:
            rows.append((lon, lat))
    fac = pd.DataFrame(rows, columns=["lon", "lat"])
    n = len(fac)
    fac.insert(0, "facility_id", [f"F{i}" for i in range(n)])
    fac.insert(1, "kind", rng.choice(["hospital", "zaibyo"], n))
    fac["beds"] = rng.integers(20, 400, n).astype(float)
    fac["beds_psychiatric"] = np.floor(fac.beds * rng.uniform(0, 0.9, n))
    fac.loc[0, "beds_psychiatric"] = np.nan  # unknown: never excludes
    psy = pd.DataFrame({"facility_id": ["PSY", "OUT"], "kind": ["hospital", "hospital"],
                        "lon": [CENTRE[0], 141.45], "lat": [CENTRE[1], 43.1],
                        "beds": [399.0, 120.0], "beds_psychiatric": [399.0, 0.0]})
    fac = pd.concat([fac, psy], ignore_index=True)
    fac["name"] = "病院" + fac.facility_id
    units = pd.DataFrame({"uid": [f"u{i}" for i in range(60)],
                          "lon": rng.uniform(141.002, 141.398, 60),
                          "lat": rng.uniform(43.002, 43.198, 60),
                          "w": rng.integers(1, 50, 60).astype(float)})
    heavy = pd.DataFrame({"uid": [f"h{i}" for i in range(5)],
                          "lon": CENTRE[0] + rng.uniform(-0.01, 0.01, 5),
                          "lat": CENTRE[1] + rng.uniform(-0.01, 0.01, 5), "w": 10_000.0})
    return fac, pd.concat([units, heavy], ignore_index=True)


def analysis_of(fac, units, **fields):
    geoms = [shapely.box(141.0 + 0.2 * i, 43.0, 141.2 + 0.2 * i, 43.2) for i in range(2)]
    regions = zaitaku.read_regions(
        gpd.GeoDataFrame({"rid": ["R0", "R1"]}, geometry=geoms, crs="EPSG:6668"), "rid")
    fields = fields or dict(beds_field="beds", beds_psychiatric_field="beds_psychiatric")
    facilities = zaitaku.read_facilities(fac, kind_field="kind", name_field="name", **fields)
    demand = zaitaku.read_demand(units, id_field="uid", lon_field="lon", lat_field="lat",
                                 weight_fields=["w"])
    return quiet(zaitaku.Analysis, regions, facilities, demand, radius=RADIUS)


def cover_matrix(fac, units):
    """Which units each facility reaches within RADIUS (geodesic, pyproj)."""
    _, _, d = GEOD.inv(np.repeat(fac.lon.to_numpy(), len(units)),
                       np.repeat(fac.lat.to_numpy(), len(units)),
                       np.tile(units.lon.to_numpy(), len(fac)),
                       np.tile(units.lat.to_numpy(), len(fac)))
    return np.asarray(d).reshape(len(fac), len(units)) <= RADIUS


def covered_by(fac, units, ids):
    cover = cover_matrix(fac, units)[fac.facility_id.isin(ids).to_numpy()]
    return float(units.w.to_numpy() @ cover.any(axis=0))


def is_psychiatric_only(fac):
    return ((fac.beds > 0) & (fac.beds_psychiatric >= fac.beds)).to_numpy()


@pytest.mark.parametrize("seed", range(4))
def test_psychiatric_only_hospital_is_left_out_unless_asked(seed):
    fac, units = generated(seed)
    an = analysis_of(fac, units)
    kinds = ["hospital", "zaibyo"]
    cover, w = cover_matrix(fac, units), units.w.to_numpy()
    single = cover @ w
    heavy = units.uid.str.startswith("h").to_numpy()
    # PSY has the best coverage, and is the only one reaching the heavy cluster
    assert fac.facility_id[np.argmax(single)] == "PSY" and single.max() > 50_000
    assert set(fac.facility_id[cover[:, heavy].any(axis=1)]) == {"PSY"}
    allowed = ~is_psychiatric_only(fac) & (fac.facility_id != "OUT").to_numpy()
    assert allowed.sum() == len(fac) - 2

    picks, regions = planning.designate(an, threshold=RADIUS, candidate_kinds=kinds)
    assert "PSY" not in set(picks.facility_id) and "OUT" not in set(picks.facility_id)
    assert set(picks.facility_id) <= set(fac.facility_id[allowed])
    assert sorted(picks.region_id) == ["R0", "R1"]
    assert picks.covered_demand_cumulative.iloc[-1] == pytest.approx(covered_by(fac, units, picks.facility_id))
    assert picks.covered_demand_cumulative.iloc[-1] < 50_000  # the heavy cluster stays uncovered
    excluded = picks.attrs["excluded"].set_index("facility_id")
    assert excluded.loc["PSY", ["beds", "beds_psychiatric"]].tolist() == [399.0, 399.0]
    assert excluded.loc["PSY", "reason"] == "psychiatric beds only (399 of 399)"
    assert excluded.loc["OUT", "reason"] == "outside every region"
    # every facility left out is listed, and only those
    listing = planning.candidates(an, candidate_kinds=kinds)
    expect_out = set(fac.facility_id[~allowed])
    assert set(excluded.index) == expect_out == set(listing[listing.candidate == 0].facility_id)
    assert regions.n_candidates.sum() == allowed.sum()

    picks, _ = planning.designate(an, threshold=RADIUS, candidate_kinds=kinds,
                                  include_psychiatric_only=True)
    assert picks[picks.region_id == "R0"].facility_id.tolist() == ["PSY"]
    assert picks.covered_demand_cumulative.iloc[-1] == pytest.approx(covered_by(fac, units, picks.facility_id))
    assert picks.covered_demand_cumulative.iloc[-1] > 50_000
    assert set(picks.attrs["excluded"].facility_id) == {"OUT"}


def test_without_the_bed_attribute_nothing_is_left_out_for_beds():
    fac, units = generated(0)
    an = analysis_of(fac, units, beds_field="beds")
    picks, _ = planning.designate(an, threshold=RADIUS, candidate_kinds=["hospital", "zaibyo"])
    assert picks[picks.region_id == "R0"].facility_id.tolist() == ["PSY"]  # the old behaviour
    att = planning.facility_attributes(an.facilities)
    assert att.beds_psychiatric.isna().all() and att.beds.notna().all()


def test_csv_and_frame_give_the_same_candidates(tmp_path):
    fac, units = generated(1)
    path = tmp_path / "fac.csv"
    fac.to_csv(path, index=False)
    from_csv = zaitaku.read_facilities(path, kind_field="kind", name_field="name",
                                       beds_field="beds", beds_psychiatric_field="beds_psychiatric")
    att = planning.facility_attributes(from_csv)
    assert att.beds_psychiatric.to_numpy() == pytest.approx(fac.beds_psychiatric.to_numpy(),
                                                            nan_ok=True)
    a, b = analysis_of(fac, units), analysis_of(path, units)
    pd.testing.assert_frame_equal(pd.DataFrame(planning.candidates(a).drop(columns="geometry")),
                                  pd.DataFrame(planning.candidates(b).drop(columns="geometry")))
    bad = fac.assign(beds_psychiatric=fac.beds_psychiatric.astype(object))
    bad.loc[3, "beds_psychiatric"] = "many"
    bad.to_csv(path, index=False)
    with pytest.raises(zaitaku.InvalidValueError, match=r"line 5, field beds_psychiatric \(facility F3\)"):
        zaitaku.read_facilities(path, beds_psychiatric_field="beds_psychiatric")
    with pytest.raises(zaitaku.InvalidValueError, match="beds_psychiatric.*'many'"):
        zaitaku.read_facilities(bad, beds_psychiatric_field="beds_psychiatric")


def test_default_candidates_are_home_care_doctors():
    an = zaitaku.Analysis.sample()
    t = planning.candidates(an)
    kinds = {"zaishin", "enhanced_single", "enhanced_network", "zaibyo"}
    att = planning.facility_attributes(an.facilities).set_index("facility_id")
    for row in t.itertuples():
        if att.lead[row.facility_id]:
            assert row.status == "fixed" and row.reason == "fixed (lead role)"
        elif row.kind not in kinds:
            assert row.reason == f"kind {row.kind} is not a candidate kind"
        elif row.region_id == "":
            assert row.reason == "outside every region"
        else:
            assert row.status == "candidate"
    picks, _ = planning.designate(an, budget=3)
    assert set(picks.facility_id) <= set(t[t.candidate == 1].facility_id)


# ---------------------------------------------------------------- command line, report

def test_plan_writes_and_prints_the_excluded(tmp_path):
    fac, units = generated(2)
    fac.to_csv(tmp_path / "fac.csv", index=False)
    units.to_csv(tmp_path / "units.csv", index=False)
    geoms = [shapely.box(141.0 + 0.2 * i, 43.0, 141.2 + 0.2 * i, 43.2) for i in range(2)]
    gpd.GeoDataFrame({"rid": ["R0", "R1"]}, geometry=geoms, crs="EPSG:6668").to_file(
        tmp_path / "regions.shp")
    out = tmp_path / "out"
    base = ["plan", "--regions", tmp_path / "regions.shp", "--region-id", "rid",
            "--facilities", tmp_path / "fac.csv", "--kind-field", "kind", "--name-field", "name",
            "--beds-field", "beds", "--beds-psychiatric-field", "beds_psychiatric",
            "--demand", tmp_path / "units.csv", "--demand-id", "uid", "--demand-lon", "lon",
            "--demand-lat", "lat", "--weight-field", "w", "--radius", "8km", "--threshold", "8km",
            "--candidate-kinds", "hospital,zaibyo", "--out", out]
    result = run_module(*map(str, base))
    assert result.returncode == 0, result.stderr
    got = pd.read_csv(out / "excluded_candidates.csv", keep_default_na=False,
                      na_values=[""]).set_index("facility_id")
    assert set(got.index) == set(fac.facility_id[is_psychiatric_only(fac)]) | {"OUT"}
    assert got.loc["PSY", "reason"] == "psychiatric beds only (399 of 399)"
    assert "psychiatric only: 1" in result.stdout
    assert "PSY  病院PSY  hospital  R0  psychiatric beds only (399 of 399)" in result.stdout
    assert "PSY" not in pd.read_csv(out / "plan.csv").facility_id.tolist()
    result = run_module(*map(str, base + ["--include-psychiatric-only"]))
    assert result.returncode == 0, result.stderr
    assert "PSY" in pd.read_csv(out / "plan.csv").facility_id.tolist()
    assert pd.read_csv(out / "excluded_candidates.csv").facility_id.tolist() == ["OUT"]


def test_report_lists_the_excluded(tmp_path):
    fac, units = generated(3)
    nurse = pd.DataFrame({"facility_id": ["N1"], "kind": ["nursing"], "lon": [141.3],
                          "lat": [43.1], "name": ["訪問看護N1"]})
    an = analysis_of(pd.concat([fac, nurse], ignore_index=True), units)
    result = quiet(an.report, tmp_path / "r.html", formats=["html", "csv"],
                   planning={"budget": 0, "sites": 0, "clusters": False,
                             "candidate_kinds": ["hospital", "zaibyo"]})
    got = pd.read_csv(result.csv["designation_excluded"], encoding="utf-8-sig",
                      keep_default_na=False, na_values=[""])
    expect = fac[is_psychiatric_only(fac) | (fac.facility_id == "OUT")]
    assert sorted(got.name) == sorted(expect.name)
    row = got.set_index("name").loc["病院PSY"]
    assert (row.reason, row.region_id, row.beds, row.beds_psychiatric) == (
        "精神病床のみ（399 床すべて）", "R0", 399, 399)
    page = Path(result.html).read_text(encoding="utf-8")
    assert "指定の候補から外した施設" in page and "精神病床のみ（399 床すべて）" in page
    assert "候補の種類でない施設: 訪問看護ステーション 1 か所" in page
    picks, _ = planning.designate(an, candidate_kinds=["hospital", "zaibyo"])
    assert _csv_ids(result.csv["designation"]) == picks.facility_id.tolist()


def test_report_says_when_no_candidate_was_left_out(tmp_path):
    """Without a psychiatric-only hospital or a facility outside the regions,
    the section says none was left out, with no empty table and no CSV."""
    fac, units = generated(3)
    fac = fac[~(is_psychiatric_only(fac) | (fac.facility_id == "OUT"))]
    nurse = pd.DataFrame({"facility_id": ["N1", "N2"], "kind": ["nursing"] * 2, "lon": [141.3, 141.31],
                          "lat": [43.1, 43.11], "name": ["訪問看護N1", "訪問看護N2"]})
    an = analysis_of(pd.concat([fac, nurse], ignore_index=True), units)
    result = quiet(an.report, tmp_path / "r.html", formats=["html", "csv"],
                   planning={"budget": 0, "sites": 0, "clusters": False,
                             "candidate_kinds": ["hospital", "zaibyo"]})
    assert "designation_excluded" not in result.csv
    page = Path(result.html).read_text(encoding="utf-8")
    assert "候補の種類の施設で外したものはありません" in page
    others = fac[~fac.kind.isin(["hospital", "zaibyo"])].kind.value_counts()
    assert f"訪問看護ステーション {2 + others.get('nursing', 0)} か所" in page


def _csv_ids(path):
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str).facility_id.tolist()


# ---------------------------------------------------------------- readers

def test_iryojoho_bed_columns(tmp_path):
    head = ("ID,正式名称,機関区分,都道府県コード,市区町村コード,所在地,所在地座標（緯度）,所在地座標（経度）,"
            "一般病床,療養病床,療養病床のうち医療保険適用,療養病床のうち介護保険適用,精神病床,結核病床,"
            "感染症病床,合計病床数")
    rows = ["01,精神の病院,1,01,101,札幌市,43.06,141.35,,,,,399,,,399",
            "02,総合病院,1,01,101,札幌市,43.07,141.35,626,,,,38,,8,672",
            "03,療養の病院,1,01,101,札幌市,43.08,141.35,0,120,100,20,0,0,0,120"]
    path = tmp_path / "h.csv"
    path.write_text("\n".join([head] + rows), encoding="utf-8-sig")
    df = official.read_iryojoho_facilities(path, prefecture="北海道")
    cols = ["beds", "beds_general", "beds_long_term", "beds_psychiatric", "beds_tuberculosis",
            "beds_infectious"]
    raw = pd.read_csv(path, encoding="utf-8-sig")
    expect = raw[["合計病床数", "一般病床", "療養病床", "精神病床", "結核病床", "感染症病床"]]
    np.testing.assert_array_equal(df[cols].to_numpy(), expect.to_numpy(dtype=float))
    an_fac = zaitaku.read_facilities(df, kind_field="kind", name_field="name", beds_field="beds",
                                     beds_psychiatric_field="beds_psychiatric")
    assert planning.facility_attributes(an_fac).beds_psychiatric.tolist() == [399, 38, 0]
    path.write_text("\n".join([head, rows[0].replace(",399,,,399", ",多い,,,399")]),
                    encoding="utf-8-sig")
    with pytest.raises(zaitaku.InvalidValueError, match=r"line 2, column 精神病床: '多い'"):
        official.read_iryojoho_facilities(path, prefecture="北海道")


def test_kouseikyoku_bed_types(tmp_path):
    cells = {"0100001": "精神　　399", "0100002": "一般　　626／一般（感染）　　8／精神　　38",
             "0100003": "一般　　24／療養　　30／介護　　54", "0100004": "精神　療養　165",
             "0100005": "一般　一般　19", "0100006": "", "0100007": "一般",
             "0100008": "一般　　301／結核　　20／その他　　4", "0100009": "歯科　　3"}
    expect = {  # general, long-term, psychiatric, tuberculosis, infectious
        "0100001": [0, 0, 399, 0, 0], "0100002": [626, 0, 38, 0, 8], "0100003": [24, 84, 0, 0, 0],
        "0100004": [0, 0, 165, 0, 0], "0100005": [19, 0, 0, 0, 0], "0100006": [np.nan] * 5,
        "0100007": [np.nan, 0, 0, 0, 0], "0100008": [301, 0, 0, 20, 0],
        "0100009": [np.nan] * 5}
    lines = ["名簿", "項番,都道府県名,医療機関番号,医療機関名称,医療機関所在地（住所）,病床数,受理記号,受理番号,"
             "算定開始年月日"]
    lines += [f"{i},北海道,{code},病院{i},札幌市中央区,\"{cell}\",（支援病３）,第{i}号,令和 6年 6月 1日"
              for i, (code, cell) in enumerate(cells.items(), 1)]
    path = tmp_path / "todokede.csv"
    path.write_text("\n".join(lines), encoding="cp932")
    read = official.read_kouseikyoku_todokede(path)
    t = read.set_index("name")
    cols = ["beds_general", "beds_long_term", "beds_psychiatric", "beds_tuberculosis",
            "beds_infectious"]
    for i, code in enumerate(cells, 1):
        np.testing.assert_array_equal(t.loc[f"病院{i}", cols].to_numpy(dtype=float),
                                      np.array(expect[code], dtype=float), err_msg=code)
    assert t.loc["病院8", "beds"] == 325  # その他 counts in the total only
    notes = read.attrs["report"].notes
    assert any(re.search(r"todokede.csv 11 \(病院9\): 病床数 「歯科\s+3」: part 「歯科\s+3」 is not a bed type", n) for n in notes), notes


# ---------------------------------------------------------------- real Hokkaido data

def independent_psychiatric_only():
    """Hokkaido hospitals of the 医療情報ネット file with coordinates whose
    beds are all psychiatric, by the csv module over the zip."""
    with zipfile.ZipFile(real(IRYOJOHO)) as z:
        name = next(n for n in z.namelist() if n.endswith(".csv"))
        rows = list(csv.DictReader(io.StringIO(z.read(name).decode("utf-8-sig"))))
    hokkaido = [r for r in rows if r["都道府県コード"].zfill(2) == "01"]
    located = [r for r in hokkaido
               if float(r["所在地座標（緯度）"] or 0) != 0 or float(r["所在地座標（経度）"] or 0) != 0]
    cell = lambda r, k: float(r[k]) if r[k].strip() else None  # noqa: E731
    ids = {r["ID"] for r in located
           if cell(r, "合計病床数") and cell(r, "精神病床") == cell(r, "合計病床数")}
    return ids, len(located)


def test_hokkaido_psychiatric_only_hospitals_are_not_designated():
    ids, n_located = independent_psychiatric_only()
    hosp = quiet(official.read_iryojoho_facilities, IRYOJOHO, prefecture="北海道")
    assert len(hosp) == n_located
    mine = set(hosp.facility_id[(hosp.beds > 0) & (hosp.beds_psychiatric == hosp.beds)])
    assert mine == ids and len(ids) > 20
    print(f"\nHokkaido: {len(ids)} of {len(hosp)} located hospitals have psychiatric beds only")
    munis = official.read_n03(real(N03_SHP))
    areas = official.regions_by(munis, "hokkaido", "iryoken2")
    fac = zaitaku.read_facilities(hosp, kind_field="kind", name_field="name", beds_field="beds",
                                  beds_psychiatric_field="beds_psychiatric")
    people = quiet(zaitaku.read_demand, real(MESH_2010), mesh_field="1", weight_fields=["2"],
                   header=False)
    an = quiet(zaitaku.Analysis, areas, fac, people, radius="16km")
    picks, regions = planning.designate(an, candidate_kinds=["hospital"])
    assert not set(picks.facility_id) & ids
    assert len(picks) == (regions.n_candidates > 0).sum()  # one per area that has a candidate
    excluded = picks.attrs["excluded"]
    left_out = set(excluded.facility_id[excluded.status.isin(["psychiatric_only", "outside"])])
    assert ids <= left_out
    psy = excluded[excluded.status == "psychiatric_only"]
    assert (psy.beds == psy.beds_psychiatric).all()
    assert psy.reason.str.fullmatch(r"psychiatric beds only \(\d+ of \d+\)").all()
    print(f"designation among {int(regions.n_candidates.sum())} candidate hospitals: "
          f"{len(psy)} psychiatric-only and "
          f"{int((excluded.status == 'outside').sum())} outside every area left out")
    # without the attribute the old designation takes psychiatric-only ones
    plain = zaitaku.read_facilities(hosp, kind_field="kind", name_field="name", beds_field="beds")
    old, _ = planning.designate(quiet(zaitaku.Analysis, areas, plain, people, radius="16km"),
                                candidate_kinds=["hospital"])
    print(f"without beds_psychiatric: {len(set(old.facility_id) & ids)} psychiatric-only picked")
