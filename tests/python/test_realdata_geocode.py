"""The offline geocoder (Geolonia town points) on real Hokkaido addresses:
the 厚生局 list's 支援診/支援病 and every clinic of the code list, checked
against the Geolonia files read directly and against 医療情報ネット's
published coordinates.

Real files come from ``COV_SHARED_DATA`` (default ``../shared/data``); the
tests skip with a message when they are absent.
"""
import json
import time

import numpy as np
import pandas as pd
import pytest

import zaitaku
from zaitaku import official
from realdata import DATA, real, quiet

GEOLONIA = DATA / "raw" / "geolonia_japanese_addresses"
TODOKEDE = DATA / "raw" / "kouseikyoku_todokede_202510_hokkaido" / "hokkaido_todokede_202510.xlsx"
IRYOJOHO = DATA / "raw" / "mhlw_iryojoho_net_hospitals_20250601" / "01-1_hospital_facility_info_20250601.zip"
CODES = DATA / "raw" / "med_inst_codes_allJapan_202508" / "202508_all_med_inst_cd.zip"


def km(lon1, lat1, lon2, lat2):
    """Great-circle distance on a sphere of radius 6371 km (haversine)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (np.sin((p2 - p1) / 2) ** 2
         + np.cos(p1) * np.cos(p2) * np.sin(np.radians(np.asarray(lon2) - lon1) / 2) ** 2)
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


@pytest.fixture(scope="module")
def towns():
    return quiet(official.read_geolonia_towns, real(GEOLONIA), prefecture="北海道")


@pytest.fixture(scope="module")
def shien():
    t = official.read_kouseikyoku_todokede(real(TODOKEDE))
    return t[t.shien != ""].reset_index(drop=True)


def test_geolonia_hokkaido_is_read_whole(towns):
    files = sorted((GEOLONIA / "api" / "ja" / "北海道").glob("*.json"))
    raw = [(f.stem, r) for f in files for r in json.loads(f.read_text(encoding="utf-8"))]
    assert len(files) == 188 == towns.municipality.nunique()
    rep = towns.attrs["report"]
    assert rep.read == len(raw) and len(towns) == len(raw) - rep.n_rejected
    assert set(rep.counts()) <= {"no coordinates"}
    good = [(m, r["town"], r["lat"], r["lng"]) for m, r in raw if r["lat"] is not None]
    assert sorted(zip(towns.municipality, towns.town, towns.lat, towns.lon)) == sorted(good)


def test_hokkaido_shien_located_at_town_level(towns, shien):
    t0 = time.perf_counter()
    loc = quiet(official.locate_addresses, shien, towns, prefecture="北海道")
    seconds = time.perf_counter() - t0
    share = loc.match_level.value_counts(normalize=True)
    print(f"\n北海道 支援診/支援病 ({len(loc)}), located in {seconds:.2f} s: town "
          f"{share.get('town', 0):.1%}, municipality {share.get('municipality', 0):.1%}, none "
          f"{share.get('none', 0):.1%}; rules {loc.match.value_counts().to_dict()}")
    assert share.get("town", 0) >= 0.98
    # never a silent guess: every row below town level is listed with its address
    rep = loc.attrs["report"]
    below = loc[loc.match_level != "town"]
    assert sorted(rep.rejected.detail) == sorted(below.address)
    assert below.lon.isna().eq(below.match_level == "none").all()
    print("  not at town level: " + "; ".join(f"{a} ({lv})" for a, lv in
                                              zip(below.address, below.match_level)))
    # each town point is the Geolonia record of that municipality and town, read directly
    for r in loc[loc.match_level == "town"].sample(25, random_state=3).itertuples():
        rec = json.loads((GEOLONIA / "api" / "ja" / "北海道" / f"{r.matched_municipality}.json")
                         .read_text(encoding="utf-8"))
        pts = {(x["lat"], x["lng"]) for x in rec if x["town"] == r.matched_town}
        assert (r.lat, r.lon) in pts
        # and the address names that municipality (with or without its 郡)
        short = r.matched_municipality.split("郡")[-1]
        assert short in zaitaku.official.address_key(r.address)
    assert loc.confidence.between(0, 1).all()
    assert (loc.confidence[loc.match == "town"] == 1.0).all()


def test_hokkaido_town_points_agree_with_iryojoho(towns, shien):
    hosp = quiet(official.read_iryojoho_facilities, real(IRYOJOHO), prefecture="北海道")
    loc = quiet(official.locate_facilities, shien, towns, hosp, prefecture="北海道")
    by = loc.located_by.value_counts().to_dict()
    print(f"\n北海道 支援診/支援病 located by {by}")
    fac = loc[loc.located_by == "facility"]
    assert len(fac) >= 30
    # the published coordinates win, exactly
    pub = hosp.set_index("facility_id").loc[fac.facility_id, ["lon", "lat"]].to_numpy()
    assert np.array_equal(fac[["lon", "lat"]].to_numpy(), pub)
    # the town points of the same institutions lie within a few km of them
    geo = quiet(official.locate_addresses, fac, towns, prefecture="北海道")
    d = km(fac.lon.to_numpy(), fac.lat.to_numpy(), geo.lon.to_numpy(), geo.lat.to_numpy())
    print(f"  town point vs 医療情報ネット for {len(d)} hospitals: median {np.median(d):.2f} km, "
          f"max {d.max():.2f} km")
    assert np.median(d) < 0.5 and d.max() < 3.0
    # every 医療情報ネット hospital of Hokkaido, geocoded from its own address
    mine = quiet(official.locate_addresses, hosp, towns)
    town = mine.match_level == "town"
    d = km(hosp.lon[town].to_numpy(), hosp.lat[town].to_numpy(), mine.lon[town].to_numpy(),
           mine.lat[town].to_numpy())
    print(f"  all {len(hosp)} located 医療情報ネット hospitals: town level {town.mean():.1%}; "
          f"distance median {np.median(d):.2f} km, 95% {np.quantile(d, 0.95):.2f} km, "
          f"max {d.max():.2f} km")
    assert town.mean() >= 0.98 and np.median(d) < 0.5 and np.quantile(d, 0.95) < 5


def test_hokkaido_clinics_of_the_code_list(towns):
    clinics = official.read_med_inst_codes(real(CODES), prefecture="北海道")
    assert len(clinics) == 3257   # SOURCE.md: Hokkaido (01) 3,257 rows
    raw = pd.read_csv(CODES, header=None, dtype=str)
    assert (raw[0].str[:2] == "01").sum() == 3257 and len(raw) == 97_024
    t0 = time.perf_counter()
    loc = quiet(official.locate_addresses, clinics, towns, prefecture="北海道")
    seconds = time.perf_counter() - t0
    share = loc.match_level.value_counts(normalize=True)
    print(f"\n北海道 code list ({len(loc)}: {clinics.kind.value_counts().to_dict()}), located in "
          f"{seconds:.2f} s: town {share.get('town', 0):.1%}, municipality "
          f"{share.get('municipality', 0):.1%}, none {share.get('none', 0):.1%}")
    assert share.get("town", 0) >= 0.97
    fac = zaitaku.read_facilities(loc[loc.match_level == "town"], id_field="institution_code",
                                  kind_field="kind", name_field="name")
    assert set(fac.kinds) == {"clinic", "hospital"}


# ---------------------------------------------------------------- synthetic

def _towns():
    t = pd.DataFrame({
        "pref_code": "01", "prefecture": "北海道",
        "municipality": ["札幌市中央区", "札幌市中央区", "虻田郡倶知安町", "上川郡比布町", "足寄郡陸別町",
                         "函館市", "函館市", "石狩郡当別町"],
        "town": ["南一条西十六丁目", "南一条西", "北一条東一丁目", "北十三線", "字ペンケクンベツ原野",
                 "港町一丁目", "港町二丁目", "弁華別"],
        "koaza": "", "lon": [141.33, 141.34, 140.76, 142.47, 143.65, 140.72, 140.73, 141.52],
        "lat": [43.058, 43.059, 42.90, 43.86, 43.47, 41.83, 41.84, 43.28]})
    t["key"] = t.town.map(official.address_key)
    return t


@pytest.mark.parametrize("address, town", [
    ("札幌市中央区南１条西１６丁目２９１番地", "南一条西十六丁目"),
    ("北海道札幌市中央区南一条西十六丁目291", "南一条西十六丁目"),
    ("札幌市中央区南1条西16-291 ○○ビル3F", "南一条西十六丁目"),
    ("〒060-0061 北海道札幌市中央区南1条西16丁目", "南一条西十六丁目"),
    ("虻田郡倶知安町北1条東1丁目2番地", "北一条東一丁目"),
    ("倶知安町字北１条東１丁目２", "北一条東一丁目"),
    ("上川郡比布町北１３線９号", "北十三線"),
    ("足寄郡陸別町字ペンケクンベツ原野１２３", "字ペンケクンベツ原野"),
    ("陸別町ペンケクンベツ原野１２３", "字ペンケクンベツ原野"),
    ("函館市港町１－１０－１", "港町一丁目"),
    ("函館市港町２丁目１０番１号", "港町二丁目"),
    ("石狩郡当別町大字弁華別３０番地", "弁華別"),
])
def test_address_forms_find_their_town(address, town):
    out = official.locate_addresses(pd.DataFrame({"address": [address]}), _towns(), prefecture="北海道")
    assert out.matched_town.tolist() == [town] and out.match.tolist() == ["town"]
    t = _towns().set_index("town").loc[town]
    assert (out.lon[0], out.lat[0]) == (t.lon, t.lat)


def test_levels_and_the_report():
    rows = pd.DataFrame({"name": ["a", "b", "c", "d", "e"],
                         "address": ["函館市港町３丁目", "函館市港町", "函館市", "小樽市花園1-1", ""]})
    with pytest.warns(zaitaku.CoverageWarning, match="not located"):
        out = official.locate_addresses(rows, _towns(), prefecture=1)
    # 港町 without its 丁目, or with one the data lack: the mean of its 丁目 points
    assert out.match.tolist() == ["town_base", "town_base", "municipality", "none", "none"]
    assert out.match_level.tolist() == ["town", "town", "municipality", "none", "none"]
    assert out.matched_town.tolist() == ["港町", "港町", "", "", ""]
    assert out.confidence.tolist() == [0.7, 0.7, 0.3, 0.0, 0.0]
    assert out.lon[:2].tolist() == pytest.approx([(140.72 + 140.73) / 2] * 2)
    assert out.lat[:2].tolist() == pytest.approx([(41.83 + 41.84) / 2] * 2)
    rep = out.attrs["report"]
    assert rep.rejected[["name", "reason", "detail"]].values.tolist() == [
        ["c", "municipality only", "函館市"], ["d", "not located", "小樽市花園1-1"],
        ["e", "not located", ""]]
    assert rep.notes == ["located: town 2 (40.0%), municipality 1 (20.0%), none 2 (40.0%)"]
    assert out.lon[3:].isna().all()
    # a municipality's point is one of its own towns'
    f = _towns()
    assert (out.lon[2], out.lat[2]) in set(zip(f.lon[f.municipality == "函館市"],
                                               f.lat[f.municipality == "函館市"]))
    with pytest.raises(zaitaku.FieldError, match="no column 'where'"):
        official.locate_addresses(rows, _towns(), address="where")
    empty = official.locate_addresses(rows.iloc[:0], _towns())
    assert len(empty) == 0 and "lon" in empty.columns


def test_facilities_win_over_town_points():
    rows = pd.DataFrame({"institution_code": ["0110100001", "0110100002"],
                         "name": ["みなと病院", "北のクリニック"],
                         "address": ["函館市港町1丁目10番1号", "倶知安町北1条東1丁目2"]})
    net = pd.DataFrame({"facility_id": ["F1"], "name": ["医療法人 みなと病院"],
                        "address": ["北海道函館市港町１－１０－１"], "lon": [140.7211], "lat": [41.8312]})
    out = official.locate_facilities(rows, _towns(), net, prefecture="北海道")
    assert out.located_by.tolist() == ["facility", "town"]
    assert out.facility_id.tolist() == ["F1", ""]
    assert (out.lon[0], out.lat[0]) == (140.7211, 41.8312) and out.confidence[0] == 1.0
    assert (out.lon[1], out.lat[1]) == (140.76, 42.90)
    assert out.attrs["report"].notes[-1] == "located by: facility 1, town 1, municipality 0, none 0"


def test_a_ward_the_data_do_not_know_falls_back_to_the_city():
    # 浜松市 merged its wards in 2024 (中区 + 東区 ... -> 中央区); older town data know the old ones
    t = pd.DataFrame({"pref_code": "22", "prefecture": "静岡県",
                      "municipality": ["浜松市中区", "浜松市中区", "浜松市東区", "浜松市東区"],
                      "town": ["野口町", "元城町", "野口町", "天王町"], "koaza": "",
                      "lon": [137.74, 137.73, 137.78, 137.77], "lat": [34.71, 34.71, 34.72, 34.73]})
    t["key"] = t.town.map(official.address_key)
    rows = pd.DataFrame({"address": ["浜松市中央区元城町1-1", "浜松市中央区天王町5", "浜松市中央区野口町357",
                                     "浜松市中区元城町2"]})
    out = quiet(official.locate_addresses, rows, t, prefecture="静岡県")
    assert out.matched_municipality.tolist() == ["浜松市", "浜松市", "浜松市", "浜松市中区"]
    assert out.matched_town.tolist() == ["元城町", "天王町", "", "元城町"]
    # 野口町 is in two old wards: no guess, the city's point at municipality level
    assert out.match_level.tolist() == ["town", "town", "municipality", "town"]
    assert (out.lon[0], out.lat[0]) == (137.73, 34.71)


def test_code_list_layout_and_bad_rows(tmp_path):
    import zipfile

    text = ("010112489,0112489,医療法人 愛全病院,0050813,札幌市南区川沿１３条２丁目１番３８号\n"
            "130100011,0100011,さくらクリニック,1000001,千代田区千代田1-1\n"
            "01011248X,0112489,壊れた行,0000000,どこか\n")
    path = tmp_path / "codes.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("all_med_inst_cd.csv", text.encode("utf-8"))
    with pytest.warns(zaitaku.CoverageWarning, match="1 rejected"):
        every = official.read_med_inst_codes(path)
    assert every[["institution_code", "prefecture", "kind", "line"]].values.tolist() == [
        ["0110112489", "北海道", "hospital", 1], ["1310100011", "東京都", "clinic", 2]]
    rej = every.attrs["report"].rejected
    assert rej[["line", "name"]].values.tolist() == [[3, "壊れた行"]]
    hok = quiet(official.read_med_inst_codes, path, prefecture="北海道")
    assert hok.institution_code.tolist() == ["0110112489"]
    csv = tmp_path / "c.csv"
    csv.write_text("1,2,3\n", encoding="utf-8")
    with pytest.raises(zaitaku.FileFormatError, match=r"c\.csv: line 1: 3 fields; expected 5"):
        official.read_med_inst_codes(csv)
    with pytest.raises(zaitaku.InputFileError, match="no such file"):
        official.read_med_inst_codes(tmp_path / "none.zip")


def test_geolonia_bad_files_are_named(tmp_path):
    folder = tmp_path / "api" / "ja" / "北海道"
    folder.mkdir(parents=True)
    (folder / "函館市.json").write_text(json.dumps(
        [{"town": "港町一丁目", "koaza": "", "lat": 41.83, "lng": 140.72},
         {"town": "港町二丁目", "koaza": "", "lat": None, "lng": None}]), encoding="utf-8")
    with pytest.warns(zaitaku.CoverageWarning, match="1 no coordinates"):
        towns = official.read_geolonia_towns(tmp_path, prefecture="北海道")
    assert towns[["municipality", "town", "key"]].values.tolist() == [["函館市", "港町一丁目", "港町1-"]]
    assert towns.attrs["report"].rejected[["file", "line", "name"]].values.tolist() == [
        ["函館市", 2, "港町二丁目"]]
    (folder / "小樽市.json").write_text(json.dumps(
        [{"town": "花園一丁目", "lat": 43.19, "lng": 141.0}, {"koaza": "", "lat": 43.2, "lng": 141.0}]),
        encoding="utf-8")
    with pytest.raises(zaitaku.FieldError, match=r"小樽市\.json: record 2: no field 'town' "
                                                 r"\(fields: koaza, lat, lng\)"):
        official.read_geolonia_towns(tmp_path, prefecture="北海道")
    (folder / "小樽市.json").write_text("{", encoding="utf-8")
    with pytest.raises(zaitaku.FieldError, match=r"小樽市\.json: not a Geolonia town list"):
        official.read_geolonia_towns(tmp_path, prefecture="北海道")
    with pytest.raises(zaitaku.InputFileError, match="no Geolonia"):
        official.read_geolonia_towns(tmp_path / "api" / "ja" / "北海道")
