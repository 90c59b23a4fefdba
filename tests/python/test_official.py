"""zaitaku.official: the readers of official Japanese data.

Real files come from ``COV_SHARED_DATA`` (default ``../shared/data``); tests
needing them skip when absent. Where no real file exists here, the tests
write small files in the published layout, citing where the layout is
documented. Every figure is checked against an independent computation
(pandas/geopandas reading the same file another way) or a published one.
"""
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import zaitaku
from zaitaku import official
from realdata import DATA, ROOT, real, quiet

N03_SHP = DATA / "hokkaido_n03_shapefile_cp932" / "N03-22_01_220101.shp"
N03_GEOJSON = DATA / "raw" / "n03_2021_simplified_smartnews" / "N03-21_01_210101.geojson"
MESH_2010 = DATA / "raw" / "census2010_mesh500m_hokkaido_colspan" / "population_mesh_third_half.csv"
IRYOJOHO = DATA / "raw" / "mhlw_iryojoho_net_hospitals_20250601" / "01-1_hospital_facility_info_20250601.zip"
KAIGO_JSON = DATA / "raw" / "visiting_nursing_stations_mhlw_kaigo_osawa" / "clinics_geo.json"
HOSP_2015 = DATA / "raw" / "hokkaido_hospitals_2015_colspan" / "hospital_list.csv"
SHARED_TABLE = DATA / "hokkaido_municipality_2ji_iryoken.csv"


# ---------------------------------------------------------------- encodings and errors

@pytest.mark.parametrize("encoding", ["cp932", "utf-8", "utf-8-sig"])
def test_every_encoding_reads_the_same(tmp_path, encoding):
    text = ("id,hospital_name,latitude,longtitude\n"
            "1,函館の病院（髙橋）,41.79,140.77\n2,ｶﾀｶﾅ病院,43.06,141.35\n")
    path = tmp_path / "h.csv"
    path.write_bytes(text.encode(encoding))
    df = official.read_facility_csv(path, id_field="id", name_field="hospital_name",
                                    lon_field="longtitude", lat_field="latitude")
    assert df.name.tolist() == ["函館の病院（髙橋）", "ｶﾀｶﾅ病院"]
    assert df.lon.tolist() == [140.77, 141.35]
    assert official.detect_encoding(path.read_bytes()) == encoding


def test_bad_bytes_are_named_by_line_and_column(tmp_path):
    good = "id,name,lon,lat\n1,病院,141.0,43.0\n".encode("cp932")
    bad = b"2,ab\x81\x20,141.0,43.0\n"  # a lead byte with no trail: neither UTF-8 nor CP932
    path = tmp_path / "bad.csv"
    path.write_bytes(good + bad)
    with pytest.raises(zaitaku.EncodingError, match=r"bad\.csv: line 3, column 5 ") as e:
        official.read_facility_csv(path, id_field="id", lon_field="lon", lat_field="lat")
    assert isinstance(e.value, UnicodeError) and e.value.status == "COV_ERR_ENCODING"


def test_structure_errors_name_file_line_and_column(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("id,name,lon,lat\n1,a,141,43\n2,b,141\n", encoding="utf-8")
    with pytest.raises(zaitaku.FileFormatError, match=r"h\.csv: line 3: 3 fields, the header has 4"):
        official.read_facility_csv(path, id_field="id", lon_field="lon", lat_field="lat")
    with pytest.raises(zaitaku.FieldError, match=r"h\.csv: line 1: no column 'x'"):
        official.read_facility_csv(path, id_field="x", lon_field="lon", lat_field="lat")
    with pytest.raises(zaitaku.InputFileError, match="no such file"):
        official.read_facility_csv(tmp_path / "none.csv", id_field="id", lon_field="lon",
                                   lat_field="lat")


# ---------------------------------------------------------------- N03, A38, nesting

def test_n03_shapefile_cp932_without_cpg():
    import geopandas as gpd

    shp = real(N03_SHP)
    munis = official.read_n03(shp)
    raw = gpd.read_file(shp, encoding="cp932")  # independent: the encoding told, not detected
    assert len(munis) == len(raw) == 9581  # SOURCE.md: 9,581 parts
    assert munis.muni_code.tolist() == raw.N03_007.tolist()
    assert munis.muni_code.nunique() == 194
    wards = raw[raw.N03_003.eq("札幌市")]
    assert set(munis.muni_name[munis.muni_code.isin(wards.N03_007)]) == \
        {"札幌市" + w for w in wards.N03_004}
    regions = official.regions_by(munis)
    assert len(regions) == 194


def test_n03_geojson_and_dissolve_to_21_areas():
    munis = official.read_n03(real(N03_GEOJSON))
    assert munis.muni_code.nunique() == 194 and munis.attrs["report"].n_rejected == 0
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        areas = official.regions_by(munis, "hokkaido", "iryoken2")
    assert sorted(areas.ids) == [f"01{i:02d}" for i in range(1, 22)]
    # the six Northern Territories villages belong to no area: named in a warning
    assert any("01695" in str(x.message) for x in w)


def _write_a38(tmp_path):
    """A 二次医療圏 layer in the published A38 layout (国土数値情報 医療圏データ
    product specification, https://nlftp.mlit.go.jp/ksj/gml/datalist/KsjTmplt-A38-v2_0.html:
    A38b_001 構成市区町村の行政区域コード (comma separated), A38b_002 構成市区町村名,
    A38b_003 二次医療圏コード, A38b_004 二次医療圏名), shapefile with a CP932 DBF
    and no .cpg, one record per island."""
    import geopandas as gpd
    import shapely

    gdf = gpd.GeoDataFrame({
        "A38b_001": ["01202,01236", "01202,01236", "01204"],
        "A38b_002": ["函館市,北斗市", "函館市,北斗市", "旭川市"],
        "A38b_003": ["0103", "0103", "0110"],
        "A38b_004": ["南渡島", "南渡島", "上川中部"]},
        geometry=[shapely.box(140.5, 41.7, 140.8, 41.9), shapely.box(140.9, 41.7, 141.0, 41.8),
                  shapely.box(142.2, 43.6, 142.5, 43.9)], crs="EPSG:6668")
    path = tmp_path / "A38-20_01_2.shp"
    gdf.to_file(path, encoding="cp932")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    assert "南渡島".encode("cp932") in path.with_suffix(".dbf").read_bytes()
    return path, gdf


def test_a38_layer_and_its_nesting(tmp_path):
    path, gdf = _write_a38(tmp_path)
    areas = official.read_a38(path)
    assert areas.region_id.tolist() == ["0103", "0103", "0110"]
    assert areas.region_name.tolist() == ["南渡島", "南渡島", "上川中部"]
    table = official.a38_nesting(areas)
    assert table.values.tolist() == [["01202", "函館市", "0103", "南渡島"],
                                     ["01236", "北斗市", "0103", "南渡島"],
                                     ["01204", "旭川市", "0110", "上川中部"]]
    regions = zaitaku.read_regions(areas, "region_id", "region_name")
    km2 = regions.to_geodataframe().set_index("region_id").area_km2
    # independent: the same boxes' area on GRS80 from pyproj
    from pyproj import Geod

    geod = Geod(ellps="GRS80")
    expect = {c: sum(abs(geod.geometry_area_perimeter(g)[0]) for g in gdf.geometry[gdf.A38b_003 == c])
              / 1e6 for c in ("0103", "0110")}
    for code, value in expect.items():
        assert km2[code] == pytest.approx(value, rel=1e-6)


def test_a38_rejects_a_municipality_in_two_areas(tmp_path):
    import geopandas as gpd
    import shapely

    gdf = gpd.GeoDataFrame({"A38b_001": ["01202", "01202"], "A38b_002": ["函館市", "函館市"],
                            "A38b_003": ["0103", "0104"], "A38b_004": ["南渡島", "札幌"]},
                           geometry=[shapely.box(0, 0, 1, 1)] * 2, crs="EPSG:6668")
    with pytest.raises(zaitaku.InvalidValueError, match="01202 函館市 is a member of both 0103 and 0104"):
        official.a38_nesting(official.read_a38(gdf))


def test_shipped_hokkaido_table_equals_the_shared_one():
    shipped = ROOT / "data" / "hokkaido_municipality_2ji_iryoken.csv"
    assert shipped.read_bytes() == real(SHARED_TABLE).read_bytes()
    t = official.hokkaido_nesting()
    assert t.equals(pd.read_csv(SHARED_TABLE, dtype=str, keep_default_na=False))


def test_nesting_three_levels_and_its_errors(tmp_path):
    path = tmp_path / "nest.csv"
    path.write_text("muni_code,zaitaku_code,zaitaku_name,iryoken2_code\n"
                    "01202,Z1,函館,0103\n01236,Z1,函館,0103\n01204,Z2,旭川,0110\n", encoding="cp932")
    t = official.read_nesting(path)
    assert official.nesting_levels(t) == ["zaitaku", "iryoken2"]
    path.write_text(path.read_text(encoding="cp932") + "01202,Z3,x,0110\n", encoding="utf-8")
    with pytest.raises(zaitaku.InvalidValueError, match=r"nest\.csv: line 5: municipality 01202 is "
                                                         r"listed again \(first on line 2\)"):
        official.read_nesting(path)
    path.write_text("muni_code,zaitaku_code,iryoken2_code\n01202,Z1,0103\n01204,Z1,0110\n")
    with pytest.raises(zaitaku.InvalidValueError, match=r"line 3: zaitaku Z1 lies in iryoken2 0110 "
                                                         r"here but in 0103 on line 2"):
        official.read_nesting(path)


def test_nested_regions_from_the_sample():
    # municipality -> 在宅医療圏 (the sample's areas) -> one made-up upper level
    munis = zaitaku.read_regions(zaitaku.sample_path("municipalities.shp"), "muni_code", "muni_name")
    t = pd.read_csv(zaitaku.sample_path("areas.csv"), dtype=str)
    t = pd.DataFrame({"muni_code": t.muni_code, "zaitaku_code": t.area_code,
                      "upper_code": np.where(t.area_code == "9903", "U2", "U1")})
    mid = official.regions_by(munis, t, "zaitaku")
    top = official.regions_by(munis, t, "upper")
    km2 = lambda r: r.to_geodataframe().set_index("region_id").area_km2  # noqa: E731
    assert km2(top)["U1"] == pytest.approx(km2(mid)["9901"] + km2(mid)["9902"], rel=1e-9)
    assert km2(top)["U2"] == pytest.approx(km2(mid)["9903"], rel=1e-9)


# ---------------------------------------------------------------- e-Stat mesh

def _estat_file(path, rows):
    """A table in e-Stat's published 地域メッシュ統計 layout (国勢調査 2020,
    統計表 T001141 男女別人口総数及び世帯総数/年齢別人口; file definition on
    e-Stat 統計地理情報システム, データダウンロード > 地域メッシュ統計,
    https://www.e-stat.go.jp/gis/statmap-search?type=1 : line 1 column codes
    KEY_CODE, HTKSYORI, HTKSAKI, GASSAN, T001141001...; line 2 labels; secret
    cells '*', none '-'), CP932 with CRLF as distributed."""
    head = ["KEY_CODE,HTKSYORI,HTKSAKI,GASSAN,T001141001,T001141002,T001141019,T001141022",
            ",,,,人口（総数）,人口（総数）　男,６５歳以上人口　総数,７５歳以上人口　総数"]
    path.write_bytes("\r\n".join(head + rows).encode("cp932") + b"\r\n")
    return path


def test_estat_published_layout_several_files(tmp_path):
    a = _estat_file(tmp_path / "tblT001141H6441.txt", [
        "644142001,0,,,100,48,30,12",
        "644142002,1,,644142003;644142004,25,12,10,-",
        "644142003,2,644142002,,3,*,*,*",   # 合算: total kept, detail in 644142002
        "644142004,2,644142002,,2,*,*,*"])
    b = _estat_file(tmp_path / "tblT001141H6442.txt", [
        "644200011,0,,,7,3,*,*",          # secret age cells in an unmerged row: NaN, kept
        "644200012,0,,,1,1,1,1",
        "644142001,0,,,5,2,1,1"])         # again: duplicate
    with pytest.warns(zaitaku.CoverageWarning, match="2 files"):
        people = official.read_estat_mesh(tmp_path)
    assert people.columns.tolist() == ["mesh_code", "total", "age65", "age75", "merged_into"]
    assert people.mesh_code.tolist() == ["644142001", "644142002", "644142003", "644142004",
                                         "644200011", "644200012"]
    assert people.total.tolist() == [100, 25, 3, 2, 7, 1]
    assert people.age75.fillna(-1).tolist() == [12, 0, -1, -1, -1, 1]
    assert people.merged_into.tolist() == ["", "", "644142002", "644142002", "", ""]
    rep = people.attrs["report"]
    assert (rep.read, rep.kept) == (7, 6)
    assert rep.counts() == {"duplicate mesh code": 1}
    assert rep.notes == [
        "2 cells merged for secrecy (合算, HTKSYORI=2), 5 people: their total is kept; their "
        "age65, age75 are unknown (NaN) and counted in the cell named in merged_into, so sums "
        "over all cells keep them",
        "secret or empty values ('*') outside merged cells, kept as NaN: age65 1, age75 1"]
    dup = rep.rejected[rep.rejected.reason == "duplicate mesh code"].iloc[0]
    assert dup.file == str(b) and dup.line == 5 and dup.detail == f"first at {a}:3"
    with pytest.raises(zaitaku.InvalidValueError, match="weight \"age65\" is nan"):
        zaitaku.read_demand(people, mesh_field="mesh_code", weight_fields=["age65"])
    dem = zaitaku.read_demand(people.fillna({"age65": 0}), mesh_field="mesh_code",
                              weight_fields=["total", "age65"])
    assert dem.weights("age65").sum() == 30 + 10 + 1
    assert dem.weights("total").sum() == 100 + 25 + 3 + 2 + 7 + 1


def test_estat_bad_lines_are_named(tmp_path):
    short = _estat_file(tmp_path / "s.txt", ["644142001,0,,,100,48,30,12", "644142002,0,,,1,1"])
    with pytest.raises(zaitaku.FileFormatError, match=r"s\.txt: line 4: 6 fields, the header has 8"):
        official.read_estat_mesh(short)
    long = _estat_file(tmp_path / "l.txt", ["644142001,0,,,100,48,30,12,9"])
    with pytest.raises(zaitaku.FileFormatError, match=r"l\.txt: line 3: 9 fields, the header has 8"):
        official.read_estat_mesh(long)
    code = _estat_file(tmp_path / "c.txt", ["64414200X,0,,,100,48,30,12", "644142001,0,,,1,1,1,1"])
    with pytest.warns(zaitaku.CoverageWarning, match="1 not a JIS X 0410 mesh code"):
        df = official.read_estat_mesh(code)
    assert df.mesh_code.tolist() == ["644142001"]
    assert df.attrs["report"].rejected.line.tolist() == [3]
    wide = _estat_file(tmp_path / "w.txt", ["644142001,0,,,１２０,48,30,12"])
    assert official.read_estat_mesh(wide).total.tolist() == [120.0]


def test_estat_chosen_columns_and_bad_values(tmp_path):
    path = _estat_file(tmp_path / "t.txt", ["644142001,0,,,100,48,30,12"])
    df = official.read_estat_mesh(path, columns={"men": "T001141002"})
    assert df.values.tolist() == [["644142001", 48.0, ""]]
    with pytest.raises(zaitaku.FieldError, match="no column 'T009'"):
        official.read_estat_mesh(path, columns={"x": "T009"})
    bad = _estat_file(tmp_path / "b.txt", ["644142001,0,,,1O0,48,30,12"])
    with pytest.raises(zaitaku.InvalidValueError, match=r"b\.txt: line 3, column 5 \(T001141001\): "
                                                        r"'1O0' is not a number"):
        official.read_estat_mesh(bad)


def test_estat_headerless_2010_hokkaido():
    path = real(MESH_2010)
    people = official.read_estat_mesh(path)
    raw = pd.read_csv(path, header=None, dtype={0: str})
    assert len(people) == len(raw) == 45723
    assert people.total.sum() == raw[1].sum() == 5_528_676  # SOURCE.md's sum
    assert (people.male + people.female).equals(people.total)


# ---------------------------------------------------------------- facilities

def test_iryojoho_hokkaido_reports_the_153_zero_points():
    path = real(IRYOJOHO)
    with pytest.warns(zaitaku.CoverageWarning, match="153 no coordinates"):
        hosp = official.read_iryojoho_facilities(path, prefecture="北海道")
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    raw = raw[raw["都道府県コード"] == "01"]
    zero = (raw["所在地座標（緯度）"].astype(float) == 0) & (raw["所在地座標（経度）"].astype(float) == 0)
    rep = hosp.attrs["report"]
    assert (rep.read, rep.kept, rep.n_rejected) == (len(raw), len(raw) - zero.sum(), 153) == (434, 281, 153)
    assert set(rep.rejected.id) == set(raw.ID[zero])
    assert hosp.lon.between(139.3, 149.0).all() and hosp.lat.between(41.3, 45.6).all()
    assert hosp.beds.sum() == pd.to_numeric(raw["合計病床数"][~zero]).sum()
    assert len(zaitaku.read_facilities(hosp, kind_field="kind", name_field="name")) == 281


def test_iryojoho_small_file_with_polygon_bounds(tmp_path):
    import shapely

    head = "ID,正式名称,機関区分,都道府県コード,市区町村コード,所在地,所在地座標（緯度）,所在地座標（経度）"
    rows = ["A,内,1,99,201,x,40.0,136.5", "B,外,1,99,201,x,40.0,137.5", "C,字,1,99,201,x,四十,136.5",
            "D,他県,1,01,101,x,43.0,141.3"]
    path = tmp_path / "h.csv"
    path.write_text("\n".join([head] + rows), encoding="cp932")
    df = quiet(official.read_iryojoho_facilities, path, prefecture=99,
               bounds=shapely.box(136.0, 39.5, 137.0, 40.5))
    assert df.facility_id.tolist() == ["A"]
    rep = df.attrs["report"]
    assert dict(zip(rep.rejected.id, rep.rejected.reason)) == {
        "B": "outside the prefecture's polygons (+1000 m)", "C": "coordinates not numeric"}
    assert dict(zip(rep.rejected.id, rep.rejected.line)) == {"B": 3, "C": 4}
    assert rep.notes == ["1 rows of other prefectures skipped"]


def test_kaigo_json_rejects_the_station_in_tokyo():
    path = real(KAIGO_JSON)
    with pytest.warns(zaitaku.CoverageWarning, match="1 outside the prefecture"):
        st = official.read_kaigo_facilities(path, prefecture=1)
    raw = pd.DataFrame(json.loads(path.read_text(encoding="utf-8")))
    assert len(raw) == 17958 and raw.id.str.startswith("01").sum() == 715
    assert st.attrs["report"].rejected.id.tolist() == ["0175701283"]
    assert len(st) == 714 and (st.kind == "nursing").all()


def test_kaigo_published_csv(tmp_path):
    # the columns of 介護サービス情報公表システム open data as MHLW publishes them
    # (https://www.mhlw.go.jp/stf/kaigo-kouhyou_opendata.html, jigyosho_130.csv = 訪問看護)
    cols = ["都道府県コード又は市町村コード", "No", "都道府県名", "市区町村名", "事業所名", "事業所名カナ",
            "サービスの種類", "住所", "方書（ビル名等）", "緯度", "経度", "電話番号", "FAX番号", "法人番号",
            "法人の名称", "事業所番号", "利用可能曜日", "利用可能曜日特記事項", "定員", "URL",
            "高齢者の方と障害者の方が同時一体的に利用できるサービス", "介護保険の通常の指定基準を満たしている",
            "障害福祉の通常の指定基準を満たしている", "備考"]
    row = lambda no, name, lat, lon: ["011002", no, "北海道", "札幌市", name, "", "訪問看護",  # noqa: E731
                                      "北海道札幌市中央区南1条西1", "ビル2F", lat, lon, "", "", "", "",
                                      no, "", "", "", "", "", "", "", ""]
    body = [cols, row("0160000001", "ステーションA", "43.05", "141.35"),
            row("0160000002", "ステーションB", "", ""),
            row("0160000003", "ステーションC", "0.0", "0.0")]
    path = tmp_path / "jigyosho_130.csv"
    path.write_text("\n".join(",".join(r) for r in body), encoding="utf-8-sig")
    st = quiet(official.read_kaigo_facilities, path, prefecture="北海道")
    assert st.values.tolist() == [["0160000001", "ステーションA", "nursing", 141.35, 43.05,
                                   "北海道札幌市中央区南1条西1 ビル2F"]]
    assert st.attrs["report"].rejected.reason.tolist() == ["no coordinates (empty)",
                                                          "no coordinates (0.0/0.0)"]


def test_2015_hospital_list_rejects_the_point_at_lat_34_9():
    st = quiet(official.read_facility_csv, real(HOSP_2015), id_field="id",
               name_field="hospital_name", lon_field="longtitude", lat_field="latitude",
               kind="hospital", prefecture=1)
    rej = st.attrs["report"].rejected
    assert rej.id.tolist() == ["478"] and rej.name.tolist() == ["北の峰病院"] and len(st) == 573


# ---------------------------------------------------------------- 厚生局 lists and matching

def _todokede_xlsx(path):
    """A 届出受理医療機関名簿 in the layout 地方厚生局 publish (title rows, then
    項番, 都道府県名, 医療機関番号, ..., 受理記号, 受理番号, 算定開始年月日; see
    関東信越厚生局 施設基準の届出受理状況, https://kouseikyoku.mhlw.go.jp/kantoshinetsu/chousa/kijyun.html,
    and its 略称 legend: 支援診１/支援病１ 機能強化型単独型, 支援診２/支援病２ 連携型,
    支援診３/支援病３ 従来型)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["届出受理医療機関名簿（医科）"])
    ws.append(["令和7年6月1日現在"])
    ws.append([])
    ws.append(["項番", "都道府県名", "区分", "医療機関番号", "併設医療機関番号", "医療機関記号番号",
               "医療機関名称", "医療機関所在地（郵便番号）", "医療機関所在地（住所）", "電話番号",
               "FAX番号", "病床数", "受理届出名称", "受理記号", "受理番号", "算定開始年月日"])
    rows = [
        (1, "0110001", "医療法人社団　北の会　北のクリニック", "札幌市中央区南一条西十六丁目291番地", "支援診１"),
        (2, "0110002", "みなと病院", "函館市港町1丁目10番1号", "（支援病３）"),
        (3, "0110003", "かわのクリニック", "旭川市1条通1丁目1番", "支援診２"),
        (4, "0110003", "かわのクリニック", "旭川市1条通1丁目1番", "在医総管"),
        (5, "0110004", "どこにもない診療所", "小樽市花園1-1-1", "支援診３"),
        (6, "", "番号のない診療所", "小樽市", "支援診３"),
    ]
    for n, num, name, addr, sym in rows:
        ws.append([n, "北海道", "医科", num, "", "", name, "060-0000", addr, "", "", "", "施設基準",
                   sym, f"第{n}号", "R7.4.1"])
    wb.save(path)
    return path


def test_todokede_xlsx_kinds_and_matching(tmp_path):
    t = quiet(official.read_kouseikyoku_todokede, _todokede_xlsx(tmp_path / "todokede.xlsx"))
    assert t[["institution_code", "kind", "institution"]].values.tolist() == [
        ["0110110001", "enhanced_single", "clinic"], ["0110110002", "zaibyo", "hospital"],
        ["0110110003", "enhanced_network", "clinic"], ["0110110004", "zaishin", "clinic"]]
    rep = t.attrs["report"]
    assert rep.counts() == {"no 7-digit 医療機関番号": 1}
    assert rep.rejected.line.tolist() == ["Sheet!10"]
    net = pd.DataFrame({
        "facility_id": ["F1", "F2", "F3", "F4"],
        "name": ["北のクリニック", "医療法人 みなと病院", "旭川リバー病院", "かわのクリニック"],
        "address": ["北海道札幌市中央区南１条西１６丁目２９１", "北海道函館市港町１－１０－１",
                    "北海道旭川市1条通1丁目1番", "北海道旭川市７条通７丁目"],
        "lon": [141.33, 140.72, 142.36, 142.37], "lat": [43.05, 41.81, 43.77, 43.76]})
    with pytest.warns(zaitaku.CoverageWarning, match="1 unmatched"):
        m = official.match_facilities(t, net)
    assert m[["institution_code", "facility_id", "match_method"]].values.tolist() == [
        ["0110110001", "F1", "name+address"], ["0110110002", "F2", "name+address"],
        ["0110110003", "F4", "name+municipality"]]
    assert m.attrs["report"].rejected.name.tolist() == ["どこにもない診療所"]
    fac = zaitaku.read_facilities(m, id_field="facility_id", kind_field="kind", name_field="name")
    assert sorted(fac.kinds) == ["enhanced_network", "enhanced_single", "zaibyo"]


def _sheet_xml(cells):
    """A worksheet's XML from (reference, attributes, body) cells, one
    <row> per reference row as written."""
    rows = {}
    for ref, attrs, body in cells:
        rows.setdefault("".join(ch for ch in ref if ch.isdigit()), []).append(
            f'<c r="{ref}"{attrs}' + (f">{body}</c>" if body is not None else "/>"))
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet><sheetData>'
            + "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in rows.items())
            + "</sheetData></worksheet>").encode("utf-8")


def test_shared_string_sheets_read_as_the_cell_loop_reads_them():
    """The vectorised reader of shared-string sheets (the 厚生局 lists) gives
    what the cell-by-cell loop gives, and leaves every other sheet to it."""
    import gc

    from zaitaku.official._kouseikyoku import _cell_rows, _shared_rows

    strings = ["項番", "", "　", "北の診療所", "支援診３", "札幌市"]
    ts = ' s="0" t="s"'
    plain = [("A2", ts, "<v>0</v>"), ("C2", ts, "<v>3</v>"), ("B2", ' t="s"', "<v>4</v>"),
             ("A3", ts, None), ("B3", ts, ""),                         # empty: no row 3
             ("A4", ts, "<v>1</v>"), ("D4", ts, "<v>2</v>"),           # blank texts: row 4 left out
             ("AA7", ts, "<v>5</v>"), ("B10", ts, "<v>03</v>"), ("A9", ts, "<v>5</v>")]
    data = _sheet_xml(plain)
    fast = _shared_rows(data, strings)
    assert fast == _cell_rows(data.decode(), strings, "t.xlsx", "s")
    assert [r for r, _ in fast] == [2, 7, 9, 10]
    assert fast[0][1] == ["項番", "支援診３", "北の診療所"] and len(fast[1][1]) == 27
    assert fast[3][1] == ["", "北の診療所"]  # <v>03</v>: string 3
    assert gc.isenabled()
    # every other sheet is the loop's: a number, an inline string, a cell written twice,
    # a column beyond XFD, a string index beyond the table
    # (and numbers that would not fit in int64: the fuzzer's 20-letter column)
    for odd in [("E2", ' s="0"', "<v>12</v>"), ("E2", ' t="inlineStr"', "<is><t>x</t></is>"),
                ("A2", ts, "<v>5</v>"), ("XFE2", ts, "<v>5</v>"), ("E2", ts, "<v>6</v>"),
                ("A" * 20 + "2", ts, "<v>5</v>"), ("A" + "9" * 25, ts, "<v>5</v>"),
                ("E2", ts, "<v>" + "9" * 25 + "</v>")]:
        assert _shared_rows(_sheet_xml(plain + [odd]), strings) is None, odd
    inline = _sheet_xml(plain + [("E2", ' t="inlineStr"', "<is><t>x</t></is>")])
    assert _cell_rows(inline.decode(), strings, "t.xlsx", "s")[0][1][4] == "x"
    with pytest.raises(zaitaku.FileFormatError, match="cell XFE2: beyond Excel's last column"):
        _cell_rows(_sheet_xml(plain + [("XFE2", ts, "<v>5</v>")]).decode(), strings, "t.xlsx", "s")


def test_match_by_code_first():
    rows = pd.DataFrame({"name": ["全然違う名前"], "address": ["どこか"], "code": ["0110112345"]})
    fac = pd.DataFrame({"facility_id": ["X"], "name": ["北の病院"], "address": ["札幌市"],
                        "mcode": ["0112345"]})
    m = official.match_facilities(rows, fac, code="code", facility_code="mcode")
    assert m.match_method.tolist() == ["code"] and m.facility_id.tolist() == ["X"]


@pytest.mark.parametrize("a, b", [
    ("北海道札幌市中央区南１条西１６丁目２９１番地", "札幌市中央区南一条西十六丁目291"),
    ("函館市港町1丁目10番1号 3階", "北海道函館市港町１－１０－１"),
    ("北海道虻田郡倶知安町字北１条東１丁目２番地", "倶知安町北1条東1-2"),
    ("網走市字潮見153番地1", "北海道網走市潮見１５３番地の１"),
    ("石狩郡当別町大字弁華別３０番地", "当別町弁華別30"),
])
def test_address_variants_agree(a, b):
    assert official.normalize_address(a) == official.normalize_address(b)


def test_different_addresses_stay_different():
    assert official.normalize_address("札幌市中央区南1条西16丁目") != \
        official.normalize_address("札幌市中央区南16条西1丁目")


def test_zip_member_inflating_beyond_the_bound_is_refused(tmp_path, monkeypatch):
    """A small archive whose member inflates past MAX_MEMBER_BYTES (a zip bomb, issue 16) is
    refused by name before it is inflated (zipfile itself never inflates past the header's
    size: a header that lies fails its CRC)."""
    import zipfile

    from zaitaku.errors import FileFormatError
    from zaitaku.official import _common, read_estat_mesh

    monkeypatch.setattr(_common, "MAX_MEMBER_BYTES", 1_000_000)
    bomb = tmp_path / "tblT001141H5339.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("tblT001141H5339.txt", b"0" * 5_000_000)
    assert bomb.stat().st_size < 50_000  # 5 MB of zeros in a few kB
    with pytest.raises(FileFormatError, match=r"tblT001141H5339\.txt: inflates to more than"):
        read_estat_mesh(bomb)
    monkeypatch.setattr(_common, "MAX_MEMBER_BYTES", 6_000_000)  # below it: read whole
    with zipfile.ZipFile(bomb) as z:
        assert len(_common.read_member(z, "tblT001141H5339.txt", str(bomb))) == 5_000_000
