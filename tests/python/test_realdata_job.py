"""The real Hokkaido job in one call per input (issue 13): 届出 and code
lists read and located (official.read_home_care_doctors / read_clinics),
e-Stat mesh files chosen by extent, and the report configuration's official
formats. Generated cases check each rule against its closed form; the real
files (``COV_SHARED_DATA``, default ``../shared/data``; skipped with a message
when absent) check the results against the readers run step by step.
"""
import json
import os

import numpy as np
import pandas as pd
import pytest

import zaitaku
from zaitaku import official
from zaitaku.report import load_config, loads_config
from zaitaku.report.build import build_analysis
from zaitaku.report.schema import ConfigError
from realdata import DATA, ROOT, real, quiet

RAW = DATA / "raw"
GEOLONIA = RAW / "geolonia_japanese_addresses"
TODOKEDE = RAW / "kouseikyoku_todokede_202510_hokkaido" / "hokkaido_todokede_202510.xlsx"
IRYOJOHO = RAW / "mhlw_iryojoho_net_hospitals_20250601" / "01-1_hospital_facility_info_20250601.zip"
CODES = RAW / "med_inst_codes_allJapan_202508" / "202508_all_med_inst_cd.zip"
MESH = RAW / "estat_census2020_mesh500m_allJapan" / "zips"
HOKKAIDO_2020 = 5_224_614   # 令和2年国勢調査, Hokkaido's population


# ---------------------------------------------------------------- generated inputs

# three sample facilities' points stand for three towns of a made-up 架空市
TOWNS = [("本町一丁目", 136.939641, 39.857207), ("本町二丁目", 136.904966, 39.949270),
         ("港町", 136.881060, 39.849325)]
HEADER = "項番,都道府県名,医療機関番号,医療機関名称,医療機関所在地（住所）,受理記号,受理番号,算定開始年月日"
LIST = [
    "1,北海道,0100001,本町在宅クリニック,架空市本町１丁目２番３号,（支援診１）,第1号,令和 6年 6月 1日",
    "2,北海道,0100001,本町在宅クリニック,架空市本町１丁目２番３号,在医総管１,第2号,平成20年 4月 1日",
    "3,北海道,0100002,二丁目内科,架空市本町２－５,支援診３,第3号,令和 7年10月 1日",
    "4,北海道,0100003,港町病院,架空市港町１０番地,支援病３,第4号,令和 5年 4月 1日",
    "5,北海道,0100004,どこかの診療所,架空市見知らぬ町１,支援診２,第5号,令和 5年 4月 1日",
    "6,北海道,0100005,外来だけの医院,架空市港町３,在医総管１,第6号,令和 5年 4月 1日",
]


def _geolonia(folder):
    towns = folder / "api" / "ja" / "北海道"
    towns.mkdir(parents=True)
    (towns / "架空市.json").write_text(json.dumps(
        [{"town": t, "koaza": "", "lat": lat, "lng": lon} for t, lon, lat in TOWNS],
        ensure_ascii=False), encoding="utf-8")
    return folder


def _todokede(folder, rows=LIST):
    path = folder / "todokede.csv"
    path.write_text("\n".join(["届出受理医療機関名簿（医科）", "", HEADER] + rows), encoding="cp932")
    return path


def test_home_care_doctors_are_read_and_located_in_one_call(tmp_path):
    towns, path = _geolonia(tmp_path), _todokede(tmp_path)
    with pytest.warns(zaitaku.CoverageWarning, match="1 located only at municipality level"):
        t = official.read_home_care_doctors(path, towns, prefecture="北海道")
    # 0100005 has no home-care kind; 0100004's town is unknown: left out and listed
    assert t.facility_id.tolist() == ["0110100001", "0110100002", "0110100003"]
    assert t.kind.tolist() == ["enhanced_single", "zaishin", "zaibyo"]
    assert t.institution.tolist() == ["clinic", "clinic", "hospital"]
    assert list(zip(t.lon, t.lat)) == [(lon, lat) for _, lon, lat in TOWNS]
    assert t.located_by.tolist() == ["town"] * 3 and t.home_medical_management.tolist() == \
        [True, False, False]
    rep = t.attrs["report"]
    assert (rep.read, rep.kept) == (6, 3)
    assert rep.rejected[["id", "name", "reason", "detail"]].values.tolist() == [
        ["0110100004", "どこかの診療所", "located only at municipality level", "架空市見知らぬ町１"]]
    # the same steps by hand give the same points
    rows = official.read_kouseikyoku_todokede(path)
    by_hand = quiet(official.locate_facilities, rows, official.read_geolonia_towns(towns),
                    prefecture="北海道")
    assert by_hand.lon[:3].tolist() == t.lon.tolist()
    # at municipality level the fourth is kept at its municipality's point, and said so
    t = official.read_home_care_doctors(path, towns, prefecture="北海道", min_level="municipality")
    assert t.facility_id.tolist()[-1] == "0110100004" and t.located_by.tolist()[-1] == "municipality"
    assert (t.lon.iloc[-1], t.lat.iloc[-1]) in {(lon, lat) for _, lon, lat in TOWNS}
    assert any("どこかの診療所 (0110100004): kept at its municipality's point" in n
               for n in t.attrs["report"].notes)
    # the table is ready for read_facilities
    fac = zaitaku.read_facilities(t, kind_field="kind", name_field="name")
    assert sorted(fac.kinds) == ["enhanced_network", "enhanced_single", "zaibyo", "zaishin"]
    with pytest.raises(ValueError, match="min_level must be 'town' or 'municipality'"):
        official.read_home_care_doctors(path, towns, min_level="none")


def test_published_coordinates_win_and_the_match_keeps_its_id(tmp_path):
    towns, path = _geolonia(tmp_path), _todokede(tmp_path)
    net = pd.DataFrame({"facility_id": ["F9"], "name": ["医療法人 港町病院"],
                        "address": ["北海道架空市港町１０"], "lon": [136.8801], "lat": [39.8488]})
    t = quiet(official.read_home_care_doctors, path, towns, net, prefecture="北海道")
    row = t.set_index("facility_id").loc["0110100003"]
    assert (row.lon, row.lat, row.located_by, row.matched_facility_id) == \
        (136.8801, 39.8488, "facility", "F9")


def test_clinics_of_the_code_list_leave_out_what_is_listed_already(tmp_path):
    towns = _geolonia(tmp_path)
    codes = tmp_path / "codes.csv"
    codes.write_text("\n".join([
        "010100001,0100001,本町在宅クリニック,060-0001,架空市本町１丁目２番３号",
        "010100006,0100006,港町こどもクリニック,060-0002,架空市港町５",
        "010100007,0100007,架空市立病院,060-0003,架空市本町２丁目１",
        "130100001,0100001,東京の医院,100-0001,千代田区千代田１"]), encoding="cp932")
    t = quiet(official.read_clinics, codes, towns, prefecture="北海道", exclude=["0110100001"])
    assert t.facility_id.tolist() == ["0110100006", "0110100007"]
    assert t.kind.tolist() == ["clinic", "hospital"]
    assert list(zip(t.lon, t.lat)) == [TOWNS[2][1:], TOWNS[1][1:]]
    assert "1 institutions left out as asked (exclude)" in t.attrs["report"].notes


# ---------------------------------------------------------------- e-Stat files by extent

def _mesh_file(folder, first, rows):
    text = ("KEY_CODE,HTKSYORI,HTKSAKI,GASSAN,T001141001\r\n,,,,人口（総数）\r\n"
            + "".join(f"{code},0,,,{n}\r\n" for code, n in rows))
    path = folder / f"tblT001141H{first}.txt"
    path.write_bytes(text.encode("cp932"))
    return path


def test_mesh_files_outside_the_bounds_are_not_read(tmp_path):
    _mesh_file(tmp_path, "6441", [("644142111", 10)])     # lat 42.67-43.33, lon 141-142
    _mesh_file(tmp_path, "5339", [("533946011", 99)])     # Tokyo
    every = official.read_estat_mesh(tmp_path)
    assert sorted(every.mesh_code) == ["533946011", "644142111"]
    box = (141.3, 42.9, 141.5, 43.1)                     # inside 6441's square only
    t = official.read_estat_mesh(tmp_path, bounds=box)
    assert t.mesh_code.tolist() == ["644142111"] and t.total.tolist() == [10.0]
    assert "1 files outside bounds (141.30, 42.90, 141.50, 43.10) not read (first-level " \
           "meshes 5339)" in t.attrs["report"].notes
    # a box touching the square's edge reads it: first-level squares are closed
    assert official.read_estat_mesh(tmp_path, bounds=(142.0, 43.3, 142.5, 43.5)).mesh_code.tolist() \
        == ["644142111"]
    with pytest.raises(zaitaku.FileFormatError, match=r"all 2 lie outside bounds"):
        official.read_estat_mesh(tmp_path, bounds=(120.0, 20.0, 121.0, 21.0))
    with pytest.raises(zaitaku.InvalidValueError, match="is not \\(west, south, east, north\\)"):
        official.read_estat_mesh(tmp_path, bounds=(142, 43, 141, 44))


# ---------------------------------------------------------------- the report configuration

def _config(tmp_path, facilities, demand=None):
    s = zaitaku.sample_path
    demand = demand or (f'path = "{s("population_mesh1km.csv")}"\nmesh_field = "mesh_code"\n'
                        'weight_fields = ["total", "age75"]')
    return f"""
[report]
title = "t"
output_dir = "{tmp_path / 'out'}"
[regions]
path = "{s('municipalities.shp')}"
id_field = "muni_code"
name_field = "muni_name"
map = "{s('areas.csv')}"
map_from = "muni_code"
map_to = "area_code"
map_name = "area_name"
{facilities}
[demand]
{demand}
"""


def test_report_reads_a_todokede_list_as_published(tmp_path):
    towns, path = _geolonia(tmp_path), _todokede(tmp_path)
    text = _config(tmp_path, f"""
[[facilities]]
format = "kouseikyoku"
path = "{path}"
towns = "{towns}"
prefecture = "北海道"
label = "届出"
[[facilities]]
path = "{zaitaku.sample_path('facilities.csv')}"
kind_field = "kind"
name_field = "name"
""")
    an, notes = quiet(build_analysis, loads_config(text, base=tmp_path))
    f = an.facilities.to_geodataframe().set_index("facility_id")
    assert f.loc[["0110100001", "0110100002", "0110100003"], "kind"].tolist() == \
        ["enhanced_single", "zaishin", "zaibyo"]
    assert f.loc["0110100003"].geometry.coords[0] == pytest.approx(TOWNS[2][1:])
    assert "0110100004" not in f.index
    assert notes["dropped_facilities"] == [
        ("facilities[1]", 1, "located only at municipality level", ["どこかの診療所（架空市見知らぬ町１）"])]
    assert notes["facilities_by_source"]["届出"] == 3
    assert notes["facility_notes"] == ["facilities[1]: located by: facility 0, town 3, "
                                       "municipality 1, none 0"]
    # kinds keeps some; the same list at municipality level keeps the fourth
    text2 = text.replace('label = "届出"', 'label = "届出"\nkinds = ["zaibyo", "enhanced_network"]\n'
                                          'min_match_level = "municipality"')
    an2, _ = quiet(build_analysis, loads_config(text2, base=tmp_path))
    ids = an2.facilities.to_geodataframe().facility_id
    assert set(ids[ids.str.startswith("011")]) == {"0110100003", "0110100004"}


@pytest.mark.parametrize("facility, key, expected", [
    ('format = "kouseikyoku"\npath = "{todokede}"', "facilities[1].towns",
     "the Geolonia town points folder"),
    ('format = "kouseikyoku"\npath = "{todokede}"\ntowns = "{towns}"\nkind = "zaishin"',
     "facilities[1].kind", "no kind with format"),
    ('format = "kouseikyoku"\npath = "{todokede}"\ntowns = "{towns}"\nlon_field = "x"',
     "facilities[1].lon_field", "no lon_field with format"),
    ('format = "kaigo"\npath = "{todokede}"\ntowns = "{towns}"', "facilities[1].towns",
     "no towns or locate_with"),
    ('path = "{todokede}"\nprefecture = "北海道"', "facilities[1].prefecture",
     "no prefecture with format = \"table\""),
    ('format = "csv"\npath = "{todokede}"', "facilities[1].format", "'table' or 'kouseikyoku'"),
    ('format = "kouseikyoku"\npath = "{todokede}"\ntowns = "{towns}"\nmin_match_level = "none"',
     "facilities[1].min_match_level", "\"town\" or \"municipality\""),
    ('path = "{towns}"', "facilities[1].path", "an existing file, got"),
])
def test_report_official_formats_take_their_own_keys(tmp_path, facility, key, expected):
    towns, path = _geolonia(tmp_path), _todokede(tmp_path)
    text = _config(tmp_path, "[[facilities]]\n" + facility.format(todokede=path, towns=towns))
    with pytest.raises(ConfigError) as e:
        loads_config(text, base=tmp_path)
    assert e.value.key == key and expected in str(e.value)


def test_report_estat_demand_keys(tmp_path):
    fac = f'[[facilities]]\npath = "{zaitaku.sample_path("facilities.csv")}"\nkind_field = "kind"'
    bad = _config(tmp_path, fac, demand=f'format = "estat_mesh"\npath = "{tmp_path}"\n'
                                        'mesh_field = "KEY_CODE"')
    with pytest.raises(ConfigError, match="no mesh_field, id_field"):
        loads_config(bad, base=tmp_path)
    cfg = loads_config(_config(tmp_path, fac, demand=f'format = "estat_mesh"\npath = "{tmp_path}"'),
                       base=tmp_path)
    assert cfg["demand"]["weight_fields"] == ["total", "age65", "age75", "age85"]
    assert cfg["demand"]["weight"] == "age75"


def test_report_estat_demand_reads_the_files_of_the_extent(tmp_path):
    """Generated e-Stat files over the sample: the sample's first-level meshes
    meet its extent, Tokyo's does not and is not read; the cells'
    total and 75+ reach the analysis, * counting 0 in the cell it was
    merged out of."""
    mesh = pd.read_csv(zaitaku.sample_path("population_mesh1km.csv"), dtype={"mesh_code": str})
    folder = tmp_path / "zips"
    folder.mkdir()
    # 500 m cells: quarter 1 of each sample 1 km cell, with the 1 km cell's people
    rows = [f"{c}1,0,,,{t},{a}\r\n" for c, t, a in zip(mesh.mesh_code, mesh.total, mesh.age75)]
    rows[0] = f"{mesh.mesh_code[0]}1,2,{mesh.mesh_code[1]}1,,{mesh.total[0]},*\r\n"
    head = "KEY_CODE,HTKSYORI,HTKSAKI,GASSAN,T001141001,T001141029\r\n,,,,人口（総数）,７５歳以上人口　総数\r\n"
    for first in sorted(set(mesh.mesh_code.str[:4])):   # one file per first-level mesh
        mine = [r for r in rows if r.startswith(first)]
        (folder / f"tblT001141H{first}.txt").write_bytes((head + "".join(mine)).encode("cp932"))
    (folder / "tblT001141H5339.txt").write_bytes(
        (head + "533946011,0,,,1000,500\r\n").encode("cp932"))
    fac = f'[[facilities]]\npath = "{zaitaku.sample_path("facilities.csv")}"\nkind_field = "kind"'
    cfg = loads_config(_config(tmp_path, fac, demand=f'format = "estat_mesh"\npath = "{folder}"\n'
                                                     'weight_fields = ["total", "age75"]'),
                       base=tmp_path)
    an, notes = quiet(build_analysis, cfg)
    assert len(an.demand) == len(mesh)
    assert an.demand.weights("total").sum() == mesh.total.sum()
    assert an.demand.weights("age75").sum() == mesh.age75.sum() - mesh.age75[0]
    assert any("1 files outside bounds" in n and "5339" in n for n in notes["demand_notes"])
    assert any("1 cells merged for secrecy" in n for n in notes["demand_notes"])


# ---------------------------------------------------------------- real files

def test_real_home_care_doctors_match_the_steps_by_hand():
    towns = quiet(official.read_geolonia_towns, real(GEOLONIA), prefecture="北海道")
    t = quiet(official.read_home_care_doctors, real(TODOKEDE), towns, real(IRYOJOHO),
              prefecture="北海道")
    rows = official.read_kouseikyoku_todokede(TODOKEDE)
    hosp = quiet(official.read_iryojoho_facilities, IRYOJOHO, prefecture="北海道")
    loc = quiet(official.locate_facilities, rows, towns, hosp, prefecture="北海道")
    good = loc[loc.located_by.isin(["facility", "town"])]
    assert t.facility_id.tolist() == good.institution_code.tolist()
    assert np.array_equal(t[["lon", "lat"]].to_numpy(), good[["lon", "lat"]].to_numpy())
    rep = t.attrs["report"]
    assert rep.kept + rep.n_rejected == len(rows)
    share = len(t[t.kind != "backup_hospital"]) / len(rows[rows.kind != "backup_hospital"])
    print(f"\n北海道 届出 list: {len(rows)} institutions with a kind, {len(t)} located at town level "
          f"or by a facility ({rep.n_rejected} listed: {rep.counts()}); 在支診/在支病 {share:.1%}")
    assert share >= 0.98


def test_real_hokkaido_report_config_builds_the_real_job():
    """examples/hokkaido_report.toml on the real files: real 在支診/在支病, the
    2020 mesh of Hokkaido's files only, people 75+; the people in the 21
    areas are the census's 5,224,614."""
    for p in (GEOLONIA, TODOKEDE, IRYOJOHO, MESH):
        real(p)
    os.environ.setdefault("COV_SHARED_DATA", str(DATA))
    cfg = load_config(ROOT / "examples" / "hokkaido_report.toml")
    an, notes = quiet(build_analysis, cfg)
    kinds = an.facilities.to_geodataframe().kind.value_counts()
    assert {"enhanced_single", "enhanced_network", "zaishin", "zaibyo", "nursing"} <= set(kinds.index)
    where = an.assignment()
    inside = where.region_id.fillna("") != ""
    total = an.demand.weights("total")
    assert round(total[inside.to_numpy()].sum()) == HOKKAIDO_2020
    assert cfg["demand"]["weight"] == "age75"
    assert any("files outside bounds" in n for n in notes["demand_notes"])
    print(f"\nexamples/hokkaido_report.toml: {dict(kinds)}; people in the 21 areas "
          f"{total[inside.to_numpy()].sum():,.0f} (census {HOKKAIDO_2020:,})")


def test_report_forecast_section_scales_each_region(tmp_path):
    """[forecast] with a factor table: per region and kind the later demand
    is factor x demand, the covered share unchanged, the change of the
    uncovered (factor - 1) x uncovered; the "all" rows are the sums."""
    from zaitaku.report import build_report_from_config

    factors = tmp_path / "factors.csv"
    factors.write_text("area,factor\n9901,0.8\n9902,1.25\n9903,1.5\n", encoding="utf-8")
    fac = (f'[[facilities]]\npath = "{zaitaku.sample_path("facilities.csv")}"\n'
           'kind_field = "kind"\nname_field = "name"')
    text = _config(tmp_path, fac) + (f'[forecast]\nformat = "table"\npath = "{factors}"\n'
                                     'code_field = "area"\nname = "2040年"\n')
    text = text.replace('title = "t"', 'title = "t"\nformats = ["csv"]\nregion_pages = false')
    text = text.replace('weight_fields = ["total", "age75"]',
                        'weight_fields = ["total", "age75"]\nweight = "age75"')
    cfg = loads_config(text, base=tmp_path)
    result = quiet(build_report_from_config, cfg)
    t = pd.read_csv(result.csv["forecast"], dtype={"region_id": str}, encoding="utf-8-sig")
    f = {"9901": 0.8, "9902": 1.25, "9903": 1.5}
    areas = t[t.region_id != "all"]
    assert set(areas.region_id) == set(f) and set(areas.kind) == {"doctor_any", "nursing",
                                                                     "doctor_and_nursing"}
    k = areas.region_id.map(f)
    assert np.allclose(areas.demand_total_later, k * areas.demand_total_base)
    assert np.allclose(areas.demand_uncovered_later - areas.demand_uncovered_base,
                       (k - 1) * areas.demand_uncovered_base)
    assert np.allclose(areas.share_covered_later, areas.share_covered_base)
    cov = zaitaku.Analysis.sample().coverage(weight="age75", area=False)
    for row in t[t.region_id == "all"].itertuples():
        c = cov[cov.kind == row.kind]
        later = (c.region_id.map(f) * c.demand_covered).sum() / (c.region_id.map(f) * c.demand_total).sum()
        assert row.share_covered_later == pytest.approx(later, abs=1e-9)
    # a region without a factor is named
    factors.write_text("area,factor\n9901,0.8\n9902,1.25\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="9903"):
        quiet(build_report_from_config, cfg)


def test_real_forecast_of_the_hokkaido_report_reads_as_published():
    from zaitaku.report.forecast import read_factors

    real(RAW / "mhlw_chiiki_iryo_kousou_2040_youkiti")
    os.environ.setdefault("COV_SHARED_DATA", str(DATA))
    cfg = load_config(ROOT / "examples" / "hokkaido_report.toml")
    f = read_factors(cfg)
    assert f.area_code.tolist() == [f"01{i:02d}" for i in range(1, 22)]
    import csv
    with open(RAW / "mhlw_chiiki_iryo_kousou_2040_youkiti" / "demand_forecast.csv",
              encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["pref_code"] == "01"
                and r["demand_category"] == "在宅（訪問診療）"]
    by = {(r["area_code"], r["year"]): float(r["receipts_per_month"]) for r in rows}
    assert f.factor.tolist() == pytest.approx([by[(a, "2040")] / by[(a, "2024")] for a in f.area_code])


def test_report_enhanced_section_counts_reach_of_the_enhanced_kinds(tmp_path):
    """[analysis] enhanced_kinds: per region the people 75+ within 16 km of a
    facility of those kinds, against pyproj's geodesic from every cell to
    every such facility and each cell's area by shapely; the "all" row is
    the sum; a kind no facility has is a ConfigError naming the key."""
    from zaitaku.report import build_report_from_config
    from test_forecast import covered_by_brute_force, muni_of_cells, sample_cells

    fac = (f'[[facilities]]\npath = "{zaitaku.sample_path("facilities.csv")}"\n'
           'kind_field = "kind"\nname_field = "name"')
    text = _config(tmp_path, fac).replace('title = "t"', 'title = "t"\nformats = ["csv"]\n'
                                          'region_pages = false')
    text = text.replace('weight_fields = ["total", "age75"]',
                        'weight_fields = ["total", "age75"]\nweight = "age75"')
    text += '[analysis]\nenhanced_kinds = ["enhanced_single", "enhanced_network"]\n'
    result = quiet(build_report_from_config, loads_config(text, base=tmp_path))
    t = pd.read_csv(result.csv["enhanced_coverage"], dtype={"region_id": str}, encoding="utf-8-sig")

    cells = sample_cells()
    muni, _ = muni_of_cells(cells)
    areas = pd.read_csv(zaitaku.sample_path("areas.csv"), dtype=str)
    cells["area"] = pd.Series(muni).map(dict(zip(areas.muni_code, areas.area_code))).to_numpy()
    raw = pd.read_csv(zaitaku.sample_path("facilities.csv"))
    enh = raw[raw.kind.isin(["enhanced_single", "enhanced_network"])]
    cells["enh"] = covered_by_brute_force(cells.lon.to_numpy(), cells.lat.to_numpy(),
                                          enh.lon.to_numpy(), enh.lat.to_numpy())
    per = t[t.region_id != "all"].set_index("region_id")
    assert sorted(per.index) == sorted(areas.area_code.unique())
    for area, g in cells.groupby("area"):
        assert per.demand_total[area] == pytest.approx(g.age75.sum())
        assert per.demand_covered[area] == pytest.approx(g.age75[g.enh].sum())
        assert per.share_covered[area] == pytest.approx(g.age75[g.enh].sum() / g.age75.sum())
    assert per.n_facilities.sum() == len(enh)
    total = t[t.region_id == "all"].iloc[0]
    assert total.demand_covered == pytest.approx(per.demand_covered.sum())
    assert total.n_facilities == len(enh)
    with pytest.raises(ConfigError, match="analysis.enhanced_kinds"):
        quiet(build_report_from_config, loads_config(text.replace('"enhanced_network"]', '"typo"]')
                                                     .replace('"enhanced_single", ', ''),
                                                     base=tmp_path))
