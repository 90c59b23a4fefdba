"""Vocabulary Python and libcoverage share (issue 12): the 24-hour flag
words, text-encoding detection and mesh-code validation. Where Python has
its own copy (zaitaku.kinds for frames, official's decoder for the files it
parses itself) it must agree with what C's readers do with the same bytes;
mesh codes are validated by C alone."""
import csv
import io

import pandas as pd
import pytest

import zaitaku
from zaitaku import kinds, planning
from zaitaku.official import _common, read_estat_mesh

WORDS = list(kinds.H24_YES) + list(kinds.H24_NO) + ["YES", "No", "True", " 1 ", "", "ＹＥＳ"]


def _facilities_csv(path, h24_values, encoding="utf-8"):
    rows = ["facility_id,name,kind,lon,lat,h24"]
    rows += [f"F{i},施設{i},nursing,141.{i:03d},43.0,{v}" for i, v in enumerate(h24_values)]
    path.write_bytes(("\n".join(rows) + "\n").encode(encoding))
    return path


def test_h24_words_read_alike_by_c_and_from_a_frame(tmp_path):
    """Every word through libcoverage's CSV reader and through the
    DataFrame path (zaitaku.kinds) gives the same flag."""
    known = [w for w in WORDS if kinds.h24_flag(w) is not None]
    path = _facilities_csv(tmp_path / "f.csv", known)
    by_c = planning.facility_attributes(
        zaitaku.read_facilities(path, kind_field="kind", h24_field="h24")).h24.tolist()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    by_py = planning.facility_attributes(
        zaitaku.read_facilities(frame, kind_field="kind", h24_field="h24")).h24.tolist()
    assert by_c == by_py
    expected = [1 if w.strip().lower() in kinds.H24_YES else
                0 if w.strip().lower() in kinds.H24_NO else -1 for w in known]
    assert by_c == expected
    assert set(by_c) == {1, 0, -1}


@pytest.mark.parametrize("word", ["maybe", "ＹＥＳ", "2"])
def test_h24_words_refused_alike(tmp_path, word):
    assert kinds.h24_flag(word) is None
    path = _facilities_csv(tmp_path / "f.csv", ["1", word])
    with pytest.raises(zaitaku.InvalidValueError) as c_error:
        zaitaku.read_facilities(path, kind_field="kind", h24_field="h24")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    with pytest.raises(zaitaku.InvalidValueError) as py_error:
        zaitaku.read_facilities(frame, kind_field="kind", h24_field="h24")
    for e in (c_error.value, py_error.value):
        assert "h24" in str(e) and word in str(e)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_encoding_detection_agrees_with_c(tmp_path, encoding):
    """official's decoder (for the files it parses itself) reads the bytes
    as libcoverage's CSV reader does: a BOM or valid UTF-8 is UTF-8, else
    CP932."""
    path = _facilities_csv(tmp_path / "f.csv", ["1", "○", "有"], encoding)
    by_c = zaitaku.read_facilities(path, kind_field="kind", name_field="name")
    text, detected = _common.decode(path.read_bytes(), str(path))
    assert detected == encoding
    names = [r["name"] for r in csv.DictReader(io.StringIO(text))]
    assert by_c.to_geodataframe().name.tolist() == names == ["施設0", "施設1", "施設2"]


def test_mesh_codes_are_validated_by_libcoverage(tmp_path):
    """The e-Stat reader rejects what C's decoder cannot decode (a 10 km
    digit of 8 or 9, a first-level code off Japan's grid), and what it keeps
    C reads without error."""
    good, bad = ["53394611", "533957", "5440461112"], ["53398611", "9999", "533946115"]
    for code in good:
        assert zaitaku.mesh.is_mesh_code(code)
        zaitaku.decode_mesh(code)
    for code in bad:
        assert not zaitaku.mesh.is_mesh_code(code)
        with pytest.raises(zaitaku.MeshCodeError):
            zaitaku.decode_mesh(code)
    path = tmp_path / "mesh.csv"
    # header-less e-Stat rows: code, then total, male, female, households
    path.write_text("\n".join(f"{c},{10 + i},5,5,{3 + i}" for i, c in enumerate(good + bad))
                    + "\n", encoding="utf-8")
    with pytest.warns(zaitaku.CoverageWarning):
        table = read_estat_mesh(path)
    assert table.mesh_code.tolist() == good
    rejected = table.attrs["report"].rejected
    assert sorted(rejected.id) == sorted(bad)
    assert set(rejected.reason) == {"not a JIS X 0410 mesh code"}
    demand = zaitaku.read_demand(table, mesh_field="mesh_code")
    assert len(demand) == len(good)


def test_derived_kinds_are_the_ones_c_writes():
    with pytest.warns(zaitaku.CoverageWarning):
        an = zaitaku.Analysis.sample()
    derived = set(an.coverage(area=False).kind) - set(an.facilities.kinds)
    assert derived == {kinds.DOCTOR_ANY, kinds.DOCTOR_AND_NURSING}
    assert set(an.reach().kind) - set(an.facilities.kinds) == {kinds.DOCTOR_ANY}


def _polygons(path, names, encoding):
    import geopandas as gpd
    from shapely.geometry import box

    frame = gpd.GeoDataFrame({"code": [f"{i:05d}" for i in range(len(names))], "name": names},
                             geometry=[box(141 + i * 0.1, 43, 141.05 + i * 0.1, 43.05)
                                       for i in range(len(names))], crs="EPSG:6668")
    frame.to_file(path, encoding=encoding)
    return path


#: (what the .cpg says or None, LDID byte or None, how the names are encoded)
DBF_CASES = {
    "cpg_shift_jis": ("SHIFT_JIS", None, "cp932"),
    "cpg_932_upper_ext": ("932", None, "cp932"),       # ESRI's code page number, .CPG
    "cpg_bom_utf8": ("\ufeffUTF-8\r\n", None, "utf-8"),
    "cpg_ansi_1252": ("ANSI 1252", None, "cp1252"),
    "cpg_empty_then_ldid": ("", 0x13, "cp932"),        # an empty .cpg says nothing
    "ldid_cp932": (None, 0x13, "cp932"),
    "ldid_0x4d_cp936": (None, 0x4D, "cp936"),          # 0x4D is Chinese GBK, not UTF-8
    "ldid_0x57_says_nothing": (None, 0x57, "utf-8"),
    "bare_utf8": (None, 0, "utf-8"),                    # header bytes are not text
    "bare_cp932": (None, 0, "cp932"),
}
NAMES = {"cp932": ["札幌市中央区", "函館市", "小樽市"], "utf-8": ["札幌市中央区", "函館市", "小樽市"],
         "cp936": ["北京市", "上海市", "广州市"], "cp1252": ["Zürich", "Genève", "Besançon"]}


@pytest.mark.parametrize("case", sorted(DBF_CASES))
def test_dbf_encoding_agrees_with_c(tmp_path, case):
    """official's shapefile reader (geopandas, given the encoding its
    _dbf_encoding picks) decodes the DBF text as libcoverage's reader does:
    the .cpg, else the LDID byte, else UTF-8 when valid, else CP932."""
    from zaitaku.official import _regions

    cpg_text, ldid, encoding = DBF_CASES[case]
    names = NAMES[encoding]
    path = _polygons(tmp_path / "m.shp", names, encoding)
    path.with_suffix(".cpg").unlink(missing_ok=True)
    if cpg_text is not None:
        ext = ".CPG" if "upper_ext" in case else ".cpg"
        path.with_suffix(ext).write_bytes(cpg_text.encode("utf-8"))
    dbf = path.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = ldid or 0
    dbf.write_bytes(bytes(data))
    by_c = zaitaku.read_regions(path, "code", "name").names
    frame, _ = _regions._read_vector(path)
    assert by_c == list(frame["name"]) == names


def test_dbf_encoding_unknown_cpg_refused_alike(tmp_path):
    from zaitaku.official import _regions

    path = _polygons(tmp_path / "m.shp", NAMES["utf-8"], "utf-8")
    path.with_suffix(".cpg").write_text("KLINGON-1")
    with pytest.raises(zaitaku.EncodingError, match="KLINGON-1"):
        zaitaku.read_regions(path, "code", "name")
    with pytest.raises(zaitaku.EncodingError, match="KLINGON-1"):
        _regions._read_vector(path)
