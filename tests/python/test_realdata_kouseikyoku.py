"""地方厚生局 届出受理医療機関名簿 (2025-10): the seven lists in shared/ (北海道 and
six other 厚生局), read with one call each, checked against a plain count of
the raw cells (pandas.read_excel and the code strings as published).

Real files come from ``COV_SHARED_DATA`` (default ``../shared/data``); the
tests skip with a message when they are absent. The synthetic tests write
small files in the published layout.
"""
import time
import unicodedata
import warnings
from pathlib import Path

import pandas as pd
import pytest

import zaitaku
from zaitaku import official
from realdata import DATA, real

HOKKAIDO = DATA / "raw" / "kouseikyoku_todokede_202510_hokkaido" / "hokkaido_todokede_202510.xlsx"
OTHER = DATA / "raw" / "kouseikyoku_todokede_202510_other"
FILES = {"北海道": HOKKAIDO, "高知": "02_10 高知 医科 届出受理医療機関名簿.xlsx",
         "山梨": "19届出受理医療機関名簿（医科）山梨r0710.xlsx",
         "奈良": "2025.10_sisetukijun_nara_ika.xlsx", "富山": "2510（富山医科）届出受理医療機関名簿.xlsx",
         "鳥取": "31_鳥取_届出受理医療機関名簿.xlsx", "佐賀": "r7_10_shisetsu_saga_ika_02.xlsx"}
PREF = {"北海道": "01", "高知": "39", "山梨": "19", "奈良": "29", "富山": "16", "鳥取": "31", "佐賀": "41"}
SHIEN = ["支援診1", "支援診2", "支援診3", "支援病1", "支援病2", "支援病3"]


def path_of(pref):
    p = FILES[pref]
    return p if isinstance(p, Path) else OTHER / p


def raw_cells(path):
    """The published rows by pandas (header row found by its 項番 cell), with
    the 受理記号 in NFKC."""
    head = pd.read_excel(path, header=None, nrows=10, dtype=str)
    row = next(i for i in range(len(head)) if head.iloc[i].astype(str).str.strip().eq("項番").any())
    raw = pd.read_excel(path, header=row, dtype=str).fillna("")
    raw["code"] = [unicodedata.normalize("NFKC", s).strip("()（） ") for s in raw["受理記号"]]
    return raw


def strongest(raw):
    """Per institution the first of 支援x1, 支援x2, 支援x3 it holds (plain set logic)."""
    held = raw[raw.code.isin(SHIEN)].groupby("医療機関番号").code.agg(set)
    pick = lambda s: next(c for n in "123" for c in sorted(s) if c.endswith(n))  # noqa: E731
    return held.map(pick)


_READ = {}


def read(pref):
    """(every institution, seconds, raw cells) of a list, read once per session."""
    if pref not in _READ:
        path = real(path_of(pref))
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("error", zaitaku.CoverageWarning)   # nothing rejected
            table = official.read_kouseikyoku_todokede(path, keep="all")
        _READ[pref] = (table, time.perf_counter() - t0, raw_cells(path))
    return _READ[pref]


@pytest.fixture(scope="module")
def hokkaido():
    return read("北海道")


@pytest.mark.parametrize("pref", list(FILES))
def test_each_list_reads(pref):
    every, _, raw = read(pref)
    numbers = raw["医療機関番号"].str.strip()
    assert len(every) == numbers.nunique()
    assert set(every.institution_code) == {PREF[pref] + "1" + n for n in numbers}
    assert every.attrs["report"].read == len(raw)
    # 支援 institutions: one per institution holding a 支援 code, strongest kept
    want = strongest(raw)
    shien = every[every.shien != ""].set_index("institution_code")
    assert len(shien) == len(want)
    assert shien.shien.to_dict() == {PREF[pref] + "1" + n: c for n, c in want.items()}
    backup = set(raw["医療機関番号"][raw.code == "在後病"])
    assert set(every.institution_code[every.backup_hospital]) == {PREF[pref] + "1" + n for n in backup}
    # the symbols of an institution are its distinct codes
    one = every.iloc[len(every) // 2]
    mine = raw[raw["医療機関番号"] == one.institution_code[3:]].code
    assert set(one.symbols.split("|")) - {""} == set(mine) - {""}
    kinds = every[every.kind != ""]
    print(f"\n{pref}: {len(every)} institutions, {len(kinds)} with a kind: "
          f"{kinds.groupby(['institution', 'kind']).size().to_dict()}")


def test_hokkaido_shien_per_type_against_a_plain_count(hokkaido):
    table, seconds, raw = hokkaido
    want = strongest(raw).value_counts().to_dict()
    got = table[table.shien != ""].shien.value_counts().to_dict()
    print(f"\n北海道 2025-10: read in {seconds:.1f} s; 支援 per type (strongest per institution): "
          + ", ".join(f"{c} {got.get(c, 0)}" for c in SHIEN)
          + f"; 在宅療養後方支援病院 {int(table.backup_hospital.sum())}")
    assert got == want
    # SOURCE.md: about 459 institutions, about 366 clinics and 93 hospitals
    clinics = sum(got.get(c, 0) for c in SHIEN[:3])
    hospitals = sum(got.get(c, 0) for c in SHIEN[3:])
    assert (clinics, hospitals) == (366, 93)
    by_kind = table[table.shien != ""].groupby("shien").kind.unique().map(list).to_dict()
    assert by_kind == {"支援診1": ["enhanced_single"], "支援診2": ["enhanced_network"],
                       "支援診3": ["zaishin"], "支援病1": ["enhanced_single"],
                       "支援病2": ["enhanced_network"], "支援病3": ["zaibyo"]}
    assert (table.institution[table.shien.str.startswith("支援病")] == "hospital").all()
    assert (table.institution[table.shien.str.startswith("支援診")] == "clinic").all()
    # every home-care attribute is a plain membership of its codes
    held = raw.groupby("医療機関番号").code.agg(set)
    for attr, (codes, _) in official.HOME_CARE_ATTRIBUTES.items():
        want_attr = {"011" + n for n, s in held.items() if s & set(codes)}
        assert set(table.institution_code[table[attr]]) == want_attr, attr
    assert table.home_medical_management.sum() > len(want)   # 在医総管 is wider than 支援


def test_hokkaido_dates_and_beds(hokkaido):
    table, _, raw = hokkaido
    row = table[table.shien != ""].iloc[0]
    cells = raw[(raw["医療機関番号"] == row.institution_code[3:]) & (raw.code == row.shien)]
    era = unicodedata.normalize("NFKC", cells["算定開始年月日"].iloc[0]).replace(" ", "")
    y, m, d = (int(x) for x in row.kind_since.split("-"))
    base = {"令和": 2018, "平成": 1988}[era[:2]]
    assert era == f"{era[:2]}{y - base}年{m}月{d}日"
    beds = table[table.bed_types != ""].iloc[0]
    assert beds.beds == sum(int(x) for x in
                            __import__("re").findall(r"\d+", unicodedata.normalize("NFKC", beds.bed_types)))
    # a 支援病 has beds (20 or more: 医療法); a 支援診 at most 19
    assert (table.beds[table.shien.str.startswith("支援病")] >= 20).all()
    assert (table.beds[table.shien.str.startswith("支援診")].fillna(0) <= 19).all()


# ---------------------------------------------------------------- synthetic

def _write(path, header, rows, title="届出受理医療機関名簿（医科）", sheet="Sheet1"):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws.append([])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_kinds_attributes_and_dates(tmp_path):
    header = ["項番", "都道府県コード", "医療機関番号", "医療機関名称", "医療機関所在地（住所）", "病床数",
              "受理届出名称", "受理記号", "算定開始年月日"]
    rows = [
        (1, "01", "０１１０００１", "北病院", "札幌市北区北1条西1丁目", "一般　120／療養　30", "", "支援病１",
         "令和 6年 6月 1日"),
        (1, "01", "0110001", "北病院", "札幌市北区北1条西1丁目", "一般　120／療養　30", "", "在医総管１",
         "平成元年 4月 1日"),
        (1, "01", "0110001", "北病院", "札幌市北区北1条西1丁目", "一般　120／療養　30", "", "在医総管１",
         "平成元年 4月 1日"),   # a 備考 line repeats the 届出
        (2, "01", "0110002", "南病院", "函館市", "一般　400", "", "在後病", "R7.4.1"),
        (3, "01", "0110003", "東クリニック", "旭川市", "", "", "支援診３", "令和 2年 4月 1日"),
        (3, "01", "0110003", "東クリニック", "旭川市", "", "", "支援診２", "令和 6年 6月 1日"),
        (3, "01", "0110003", "東クリニック", "旭川市", "", "", "在総", "令和 6年 6月 1日"),
        (4, "01", "0110004", "西医院", "小樽市", "一般　19", "", "ニコ", "令和 6年 6月 1日"),
    ]
    path = _write(tmp_path / "t.xlsx", header, rows)
    every = official.read_kouseikyoku_todokede(path, keep="all")
    assert every[["institution_code", "kind", "institution", "shien", "kind_since"]].values.tolist() == [
        ["0110110001", "enhanced_single", "hospital", "支援病1", "2024-06-01"],
        ["0110110002", "backup_hospital", "hospital", "", "2025-04-01"],
        ["0110110003", "enhanced_network", "clinic", "支援診2", "2024-06-01"],
        ["0110110004", "", "clinic", "", ""]]
    assert every.symbols.tolist() == ["支援病1|在医総管1", "在後病", "支援診3|支援診2|在総", "ニコ"]
    assert every.beds.fillna(-1).tolist() == [150.0, 400.0, -1.0, 19.0]
    assert every.home_medical_management.tolist() == [True, False, False, False]
    assert every.home_cancer_care.tolist() == [False, False, True, False]
    assert every.backup_hospital.tolist() == [False, True, False, False]
    assert every.line.tolist() == ["Sheet1!4", "Sheet1!7", "Sheet1!8", "Sheet1!11"]
    notes = every.attrs["report"].notes
    assert notes == ["東クリニック (0110110003) holds several kinds (支援診3 since 2020-04-01, "
                     "支援診2 since 2024-06-01); kept as enhanced_network"]
    kinds = official.read_kouseikyoku_todokede(path)
    assert kinds.institution_code.tolist() == ["0110110001", "0110110002", "0110110003"]
    fac = zaitaku.read_facilities(kinds.assign(lon=141.0, lat=43.0), id_field="institution_code",
                                  kind_field="kind", name_field="name", beds_field="beds")
    assert sorted(fac.kinds) == ["backup_hospital", "enhanced_network", "enhanced_single"]
    assert official.era_date("昭和64年1月7日") == "1989-01-07"
    assert official.era_date("令和元年5月1日") == "2019-05-01" and official.era_date("") == ""
    assert official.era_date("いつか") is None


def test_unknown_layout_names_file_sheet_and_header(tmp_path):
    path = _write(tmp_path / "odd.xlsx", ["番号", "名称", "記号"], [(1, "北病院", "支援病１")],
                  sheet="一覧")
    with pytest.raises(zaitaku.FieldError) as e:
        official.read_kouseikyoku_todokede(path)
    msg = str(e.value)
    assert str(path) in msg and "'一覧'" in msg
    assert "医療機関番号, 医療機関名称, 受理記号" in msg and "受理記号, 受理番号, 算定開始年月日" in msg
    with pytest.raises(ValueError, match="keep must be"):
        official.read_kouseikyoku_todokede(path, keep="some")
    with pytest.raises(zaitaku.InputFileError, match="no such file"):
        official.read_kouseikyoku_todokede(tmp_path / "none.xlsx")


def test_several_files_and_sheets_in_one_call(tmp_path):
    header = ["項番", "都道府県名", "医療機関番号", "医療機関名称", "医療機関所在地（住所）", "受理記号"]
    a = _write(tmp_path / "a.xlsx", header, [(1, "奈良県", "0110001", "A診療所", "奈良市", "支援診３")])
    b = _write(tmp_path / "b.xlsx", header, [(1, "佐賀県", "0110001", "B診療所", "佐賀市", "支援診１")])
    t = official.read_kouseikyoku_todokede([a, b])
    assert t[["institution_code", "kind", "file"]].values.tolist() == [
        ["2910110001", "zaishin", str(a)], ["4110110001", "enhanced_single", str(b)]]
    folder = official.read_kouseikyoku_todokede(tmp_path)
    assert folder.institution_code.tolist() == t.institution_code.tolist()


def test_plain_workbooks_read_as_openpyxl_reads_them(tmp_path):
    """The fast reader of all-text workbooks gives openpyxl's cells; phonetic
    guides (rPh) are not text; a workbook with numbers goes to openpyxl."""
    import zipfile

    import openpyxl

    from zaitaku.official._kouseikyoku import _NotPlain, _plain_xlsx, _sheets

    header = ["項番", "都道府県名", "医療機関番号", "医療機関名称", "医療機関所在地（住所）", "受理記号"]
    text = _write(tmp_path / "t.xlsx", header, [("1", "北海道", "0110001", "北&東<診療所>", "札幌市", "支援診３"),
                                                ("2", "北海道", "0110002", "南病院", "", "支援病１")])
    wb = openpyxl.load_workbook(text, read_only=True)
    ref = [(i, ["" if v is None else str(v) for v in r])
           for i, r in enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1)]
    wb.close()
    ref = [(i, c) for i, c in ref if any(x.strip() for x in c)]
    fast = _plain_xlsx(text)
    assert [s for s, _ in fast] == ["Sheet1"]
    assert [(i, c + [""] * (len(header) - len(c))) for i, c in fast[0][1]] == \
        [(i, c + [""] * (len(header) - len(c))) for i, c in ref]
    # a phonetic guide on a shared string
    ruby = tmp_path / "ruby.xlsx"
    with zipfile.ZipFile(text) as src, zipfile.ZipFile(ruby, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":   # openpyxl writes inline strings
                data = data.replace("<t>南病院</t>".encode(),
                                    "<t>南病院</t><rPh sb=\"0\" eb=\"3\"><t>ミナミビョウイン</t></rPh>".encode())
            dst.writestr(item, data)
    with zipfile.ZipFile(ruby) as z:
        assert b"<rPh" in z.read("xl/worksheets/sheet1.xml")
    names = [c[3] for _, c in _plain_xlsx(ruby)[0][1][2:]]
    assert names == ["北&東<診療所>", "南病院"]
    assert official.read_kouseikyoku_todokede(ruby).name.tolist() == ["北&東<診療所>", "南病院"]
    # numbers: openpyxl reads it, with the same result
    mixed = _write(tmp_path / "m.xlsx", header, [(1, "北海道", "0110001", "北診療所", "札幌市", "支援診３")])
    with pytest.raises(_NotPlain):
        _plain_xlsx(mixed)
    assert _sheets(mixed)[0][1][-1][1][:4] == ["1", "北海道", "0110001", "北診療所"]


def test_network_field(tmp_path):
    header = ["項番", "都道府県名", "医療機関番号", "医療機関名称", "医療機関所在地（住所）", "受理記号", "連携先"]
    path = _write(tmp_path / "n.xlsx", header, [
        ("1", "北海道", "0110001", "A診療所", "札幌市", "支援診２", "さっぽろ在宅ネット"),
        ("2", "北海道", "0110002", "B診療所", "札幌市", "支援診３", "さっぽろ在宅ネット")])
    t = official.read_kouseikyoku_todokede(path, network_field="連携先")
    assert t.network_id.tolist() == ["さっぽろ在宅ネット", ""]   # only 連携型 keep it
    with pytest.raises(zaitaku.FieldError, match=r"sheet 'Sheet1', row 3: no column 'ネットワーク'"):
        official.read_kouseikyoku_todokede(path, network_field="ネットワーク")
