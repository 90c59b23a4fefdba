"""Areas from 国土数値情報: N03 municipalities, A38 medical areas, and nesting
tables (municipality -> 在宅医療圏 -> 二次医療圏)."""
import os
import warnings
from pathlib import Path

import pandas as pd

from ..errors import EncodingError
from ._common import (ReadReport, _err, attach, csv_rows, decode, field_error, format_error,
                      io_error, read_bytes, value_error)

_HERE = Path(__file__).resolve().parent.parent  # the zaitaku package folder
HOKKAIDO_TABLE = "hokkaido_municipality_2ji_iryoken.csv"

# The DBF text rules of libcoverage (libcoverage/io/text.c), mirrored here
# for the attributes geopandas reads, since C has no API that says which
# encoding it chose; tests/python/test_vocabulary.py checks that both decode
# the same files alike. LDID byte -> codec (GDAL's table as text.c keeps
# it: 0x57, "the writer's code page", says nothing).
_LDID = {1: "cp437", 2: "cp850", 3: "cp1252", 4: "mac_roman", 8: "cp865", 10: "cp850",
         11: "cp437", 13: "cp437", 14: "cp850", 15: "cp437", 16: "cp850", 17: "cp437",
         18: "cp850", 19: "cp932", 20: "cp850", 21: "cp437", 22: "cp850", 23: "cp865",
         24: "cp437", 25: "cp437", 26: "cp850", 27: "cp437", 28: "cp863", 29: "cp850",
         31: "cp852", 34: "cp852", 35: "cp852", 36: "cp860", 37: "cp850", 38: "cp866",
         55: "cp850", 64: "cp852", 77: "cp936", 78: "cp949", 79: "cp950", 80: "cp874",
         88: "cp1252", 89: "cp1252", 100: "cp852", 101: "cp866", 102: "cp865", 103: "cp861",
         106: "cp737", 107: "cp857", 108: "cp863", 120: "cp950", 121: "cp949", 122: "cp936",
         123: "cp932", 124: "cp874", 134: "cp737", 135: "cp852", 136: "cp857",
         150: "mac_cyrillic", 200: "cp1250", 201: "cp1251", 202: "cp1254", 203: "cp1253",
         204: "cp1257"}
_CP932_NAMES = {"sjis", "shift_jis", "shift-jis", "shiftjis", "ms_kanji", "cp932", "ms932",
                "windows-31j", "windows-932"}


def _cpg_text(shp):
    """The .cpg beside shp (any case of its extension), its first line
    without BOM and surrounding blanks or control bytes; None without one."""
    stem = shp.with_suffix("")
    for cpg in sorted(stem.parent.glob(stem.name + ".[cC][pP][gG]")):
        data = cpg.read_bytes()[:255]
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        data = data.lstrip(bytes(range(33)))
        data = data.split(b"\r")[0].split(b"\n")[0].rstrip(bytes(range(33)))
        return cpg, data.decode("latin-1")
    return None, None


def _codepage(digits):
    cp = int(digits)
    if cp == 65001:
        return "utf-8"
    if 437 <= cp <= 950 or 1250 <= cp <= 1258:
        return f"cp{cp}"
    if 28591 <= cp <= 28599:
        return f"iso-8859-{cp - 28590}"
    if cp == 20932:
        return "euc-jp"
    if digits.startswith("8859") and len(digits) > 4:
        return f"iso-8859-{digits[4:]}"
    return None


def _cpg_codec(text):
    p = text
    if p[:5].upper() == "ANSI " or p[:4].upper() == "OEM ":
        p = p.split(" ", 1)[1]
    if p.lower() in _CP932_NAMES:
        return "cp932"
    if p.upper() in ("UTF-8", "UTF8"):
        return "utf-8"
    if p.startswith("8859") and len(p) > 4 and not p.isdigit():
        return "iso-8859-" + p[4 + (p[4] in "-_"):]
    if p.isdigit() and _codepage(p):
        return _codepage(p)
    return p


def _dbf_encoding(shp):
    """The DBF text encoding as libcoverage decides it: the .cpg, else the
    LDID byte, else UTF-8 when the records' text is valid UTF-8, else
    CP932."""
    import codecs

    shp = Path(shp)
    cpg, text = _cpg_text(shp)
    if text:
        codec = _cpg_codec(text)
        try:
            return codecs.lookup(codec).name
        except LookupError:
            raise _err(EncodingError, "COV_ERR_ENCODING",
                       f"{cpg} names the encoding \"{text}\", which iconv does not know; "
                       "fix the .cpg (e.g. \"UTF-8\" or \"CP932\")") from None
    data = read_bytes(shp.with_suffix(".dbf"))
    if len(data) > 29 and data[29] in _LDID:
        return _LDID[data[29]]
    # the records (after the header), as C scans their text fields
    start = int.from_bytes(data[8:10], "little") if len(data) >= 12 else 0
    try:
        data[start:].decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp932"


def _read_vector(source):
    """A GeoDataFrame from a shapefile (DBF encoding detected) or another
    vector file, with zaitaku's errors; its label."""
    import geopandas as gpd

    if hasattr(source, "geometry"):
        return source, type(source).__name__
    path = Path(source)
    label = os.fspath(path)
    if not path.exists():
        raise io_error(f"{label}: no such file")
    kwargs = {}
    if path.suffix.lower() == ".shp":
        if not path.with_suffix(".dbf").exists():
            raise io_error(f"{label}: the .dbf beside it is missing (attributes are needed)")
        kwargs["encoding"] = _dbf_encoding(path)
    try:
        gdf = gpd.read_file(path, **kwargs)
    except Exception as e:  # pyogrio raises its own errors
        raise format_error(f"{label}: cannot be read as a vector file ({e})") from None
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:6668")  # 国土数値情報 is JGD2011 lon/lat
    return gdf, label


def _text(value):
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


def read_n03(source, prefecture=None):
    """Reads 国土数値情報 行政区域 (N03) municipalities.

    The shapefile as distributed (DBF in CP932, usually without ``.cpg``:
    the encoding is detected) or the GeoJSON, with the published attributes
    ``N03_001`` prefecture, ``N03_002`` 振興局, ``N03_003`` 郡 or 政令市,
    ``N03_004`` municipality or ward, ``N03_007`` 5-digit code. N03 has one
    record per island, so a code may occur many times: pass the result to
    :func:`zaitaku.read_regions` with ``"muni_code"``, which merges them, or
    to :func:`regions_by`.

    Records without a code (所属未定地, boundaries not settled) or without a
    geometry are rejected and reported (``.attrs["report"]``).

    Parameters
    ----------
    source : path or GeoDataFrame
    prefecture : str, optional
        Keep records whose code starts with this prefecture code.

    Returns
    -------
    geopandas.GeoDataFrame
        ``muni_code, muni_name`` (ward names carry their city: 札幌市中央区),
        ``pref_name, subprefecture, county_or_city`` and the geometry, EPSG:6668.

    Examples
    --------
    >>> import zaitaku
    >>> from zaitaku.official import read_n03
    >>> import geopandas as gpd, shapely
    >>> gdf = gpd.GeoDataFrame({"N03_001": ["北海道", "北海道", "北海道"],
    ...     "N03_002": [None, None, None], "N03_003": ["札幌市", "札幌市", None],
    ...     "N03_004": ["中央区", "中央区", None], "N03_007": ["01101", "01101", None]},
    ...     geometry=[shapely.box(141, 43, 141.1, 43.1), shapely.box(141.2, 43, 141.3, 43.1),
    ...               shapely.box(142, 43, 142.1, 43.1)], crs="EPSG:6668")
    >>> import warnings
    >>> with warnings.catch_warnings(record=True):
    ...     warnings.simplefilter("always")
    ...     munis = read_n03(gdf)
    >>> munis.muni_name.tolist(), munis.attrs["report"].counts()
    (['札幌市中央区', '札幌市中央区'], {'no municipality code (所属未定地?)': 1})
    >>> zaitaku.read_regions(munis, "muni_code", "muni_name").names
    ['札幌市中央区']
    """
    import geopandas as gpd

    gdf, label = _read_vector(source)
    for col in ("N03_001", "N03_004", "N03_007"):
        if col not in gdf.columns:
            raise field_error(f"{label}: no column {col!r}: not an N03 layer (columns: "
                              f"{', '.join(map(str, gdf.columns))})")
    report = ReadReport(label)
    report.read = len(gdf)
    get = lambda c: [_text(v) for v in gdf[c]] if c in gdf.columns else [""] * len(gdf)  # noqa: E731
    codes, city, town = get("N03_007"), get("N03_003"), get("N03_004")
    pref_names, subprefs = get("N03_001"), get("N03_002")
    keep = []
    for i, (code, geom) in enumerate(zip(codes, gdf.geometry)):
        if not code:
            report.reject(label, i + 1, "", town[i] or city[i], "no municipality code (所属未定地?)")
        elif geom is None or geom.is_empty:
            report.reject(label, i + 1, code, town[i], "no geometry")
        elif not (code.isdigit() and len(code) == 5):
            report.reject(label, i + 1, code, town[i], "municipality code is not 5 digits")
        elif prefecture is not None and not code.startswith(str(prefecture).zfill(2)):
            report.read -= 1
        else:
            keep.append(i)
    names = [c + t if c.endswith("市") and t.endswith("区") else (t or c) for c, t in zip(city, town)]
    out = gpd.GeoDataFrame({
        "muni_code": [codes[i] for i in keep], "muni_name": [names[i] for i in keep],
        "pref_name": [pref_names[i] for i in keep],
        "subprefecture": [subprefs[i] for i in keep],
        "county_or_city": [city[i] for i in keep]},
        geometry=gdf.geometry.iloc[keep].to_numpy(), crs=gdf.crs)
    return attach(out, report)


def read_a38(source):
    """Reads 国土数値情報 医療圏 (A38) areas: the 二次医療圏 layer
    (``A38-*_2``: ``A38b_001`` member municipality codes, comma separated,
    ``A38b_002`` their names, ``A38b_003`` area code, ``A38b_004`` area name)
    or the 一次医療圏 layer (``A38-*_1``: ``A38a_001`` municipality code,
    ``A38a_002`` its name, ``A38a_003`` area code, ``A38a_004`` area name).

    Parameters
    ----------
    source : path or GeoDataFrame
        Shapefile (DBF encoding detected) or GeoJSON.

    Returns
    -------
    geopandas.GeoDataFrame
        ``region_id, region_name, member_codes`` (list of municipality codes;
        one each in the 一次 layer), ``member_names`` and the geometry. Feed
        it to :func:`zaitaku.read_regions` (``"region_id", "region_name"``)
        for the areas' own polygons, or to :func:`a38_nesting` for the
        municipality -> area table.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from zaitaku.official import read_a38, a38_nesting
    >>> gdf = gpd.GeoDataFrame({"A38b_001": ["01202,01236"], "A38b_002": ["函館市,北斗市"],
    ...     "A38b_003": ["0103"], "A38b_004": ["南渡島"]},
    ...     geometry=[shapely.box(140, 41, 141, 42)], crs="EPSG:6668")
    >>> areas = read_a38(gdf)
    >>> areas.region_id.tolist(), areas.member_codes.tolist()
    (['0103'], [['01202', '01236']])
    >>> a38_nesting(areas).values.tolist()
    [['01202', '函館市', '0103', '南渡島'], ['01236', '北斗市', '0103', '南渡島']]
    """
    import geopandas as gpd

    gdf, label = _read_vector(source)
    if "A38b_003" in gdf.columns:
        cols = ("A38b_001", "A38b_002", "A38b_003", "A38b_004")
    elif "A38a_003" in gdf.columns:
        cols = ("A38a_001", "A38a_002", "A38a_003", "A38a_004")
    else:
        raise field_error(f"{label}: neither A38b_003 (二次医療圏 layer) nor A38a_003 (一次医療圏 "
                          f"layer): not an A38 layer (columns: {', '.join(map(str, gdf.columns))})")
    for c in cols:
        if c not in gdf.columns:
            raise field_error(f"{label}: no column {c!r} in this A38 layer")
    report = ReadReport(label)
    report.read = len(gdf)
    rows, keep = [], []
    for i, r in enumerate(gdf[list(cols)].itertuples(index=False)):
        members, names, code, name = (_text(v) for v in r)
        geom = gdf.geometry.iloc[i]
        if not code:
            report.reject(label, i + 1, "", name, "no area code")
            continue
        if geom is None or geom.is_empty:
            report.reject(label, i + 1, code, name, "no geometry")
            continue
        codes = [c.strip() for c in members.replace("、", ",").split(",") if c.strip()]
        bad = [c for c in codes if not (c.isdigit() and len(c) == 5)]
        if bad:
            report.reject(label, i + 1, code, name, "member code is not 5 digits", ", ".join(bad))
            continue
        rows.append((code, name, codes, [n.strip() for n in names.replace("、", ",").split(",")]))
        keep.append(i)
    out = gpd.GeoDataFrame(rows, columns=["region_id", "region_name", "member_codes", "member_names"],
                           geometry=gdf.geometry.iloc[keep].to_numpy(), crs=gdf.crs)
    return attach(out, report)


def a38_nesting(areas):
    """The municipality -> 二次医療圏 table of A38 areas (from
    :func:`read_a38`): ``muni_code, muni_name, iryoken2_code,
    iryoken2_name``, one row per municipality, in the nesting-table format
    :func:`regions_by` takes. A municipality listed in two areas is an
    InvalidValueError."""
    rows, seen = [], {}
    for r in areas.itertuples(index=False):
        names = list(r.member_names) + [""] * (len(r.member_codes) - len(r.member_names))
        for code, name in zip(r.member_codes, names):
            if code in seen and seen[code] != r.region_id:
                raise value_error(f"A38: municipality {code} {name} is a member of both "
                                  f"{seen[code]} and {r.region_id}")
            if code not in seen:
                seen[code] = r.region_id
                rows.append((code, name if len(r.member_names) == len(r.member_codes) else "",
                             r.region_id, r.region_name))
    return pd.DataFrame(rows, columns=["muni_code", "muni_name", "iryoken2_code", "iryoken2_name"])


# ---------------------------------------------------------------- nesting tables

def hokkaido_nesting():
    """Hokkaido's municipalities (Sapporo as its 10 wards, 179 in all plus
    the 6 Northern Territories villages, which belong to no area) and their
    二次医療圏 (codes 0101-0121), from the 北海道医療計画 area lists; see
    data/README.md.

    Returns
    -------
    pandas.DataFrame
        ``muni_code, muni_name, iryoken2_code, iryoken2_name`` (text).

    Examples
    --------
    >>> from zaitaku.official import hokkaido_nesting
    >>> t = hokkaido_nesting()
    >>> len(t), t.iryoken2_code[t.iryoken2_code != ""].nunique(), int(t.iryoken2_code.eq("").sum())
    (194, 21, 6)
    >>> t.set_index("muni_code").loc["01202", ["muni_name", "iryoken2_name"]].tolist()
    ['函館市', '南渡島']
    """
    return read_nesting(table_path(HOKKAIDO_TABLE))


def table_path(name):
    """Path of a table shipped with zaitaku (in the package, or data/ of a
    development checkout)."""
    for folder in (_HERE / "tables", _HERE.parents[2] / "data"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"the table {name} is missing: reinstall zaitaku")


def nesting_levels(table):
    """The levels of a nesting table, lowest first: for each ``<level>_code``
    column after ``muni_code``, the level name."""
    return [c[:-5] for c in table.columns if c.endswith("_code") and c != "muni_code"]


def read_nesting(source):
    """Reads and checks a nesting table: which area each municipality
    belongs to, at one or more levels.

    The format (CSV, UTF-8 or CP932, or a DataFrame): a ``muni_code``
    column (5-digit JIS code; Sapporo-style wards count as municipalities),
    an optional ``muni_name``, then for each level, lowest first, a
    ``<level>_code`` column and an optional ``<level>_name`` column, e.g.
    ``muni_code, muni_name, zaitaku_code, zaitaku_name, iryoken2_code,
    iryoken2_name`` for municipality -> 在宅医療圏 -> 二次医療圏. An empty
    code means "in no area at this level". Every municipality appears once,
    and every area lies in exactly one area of each higher level.

    Returns
    -------
    pandas.DataFrame
        The table as text, with ``.attrs["report"]``.

    Raises
    ------
    InvalidValueError
        A municipality listed twice, or an area split between two areas of
        a higher level (naming the lines).

    Examples
    --------
    >>> import pandas as pd
    >>> from zaitaku.official import read_nesting
    >>> t = pd.DataFrame({"muni_code": ["01101", "01102", "01202"],
    ...                   "zaitaku_code": ["Z1", "Z1", "Z2"], "iryoken2_code": ["0104", "0103", "0103"]})
    >>> read_nesting(t)
    Traceback (most recent call last):
    ...
    zaitaku.errors.InvalidValueError: DataFrame: line 3: zaitaku Z1 lies in iryoken2 0103 here but in 0104 on line 2
    """
    if hasattr(source, "columns"):
        label = type(source).__name__
        frame = source.copy()
        header = [str(c) for c in frame.columns]
        rows = [(i + 2, [_text(v) for v in r]) for i, r in enumerate(frame.itertuples(index=False))]
    else:
        label = os.fspath(source)
        text, _ = decode(read_bytes(source), label)
        it = csv_rows(text)
        first = next(it, None)
        if first is None:
            raise format_error(f"{label}: the file is empty")
        header = [h.strip() for h in first[1]]
        rows = list(it)
    if "muni_code" not in header:
        raise field_error(f"{label}: line 1: no column 'muni_code' (columns: {', '.join(header)})")
    levels = [c[:-5] for c in header if c.endswith("_code") and c != "muni_code"]
    if not levels:
        raise field_error(f"{label}: line 1: no area level (a column named <level>_code)")
    report = ReadReport(label)
    seen, parent = {}, {}
    for line, f in rows:
        if len(f) != len(header):
            raise format_error(f"{label}: line {line}: {len(f)} fields, the header has {len(header)}")
        report.read += 1
        r = dict(zip(header, (v.strip() for v in f)))
        code = r["muni_code"]
        if not (code.isdigit() and len(code) == 5):
            raise value_error(f"{label}: line {line}, column muni_code: {code!r} is not a 5-digit code")
        if code in seen:
            raise value_error(f"{label}: line {line}: municipality {code} is listed again "
                              f"(first on line {seen[code]})")
        seen[code] = line
        for low, high in zip(levels, levels[1:]):
            a, b = r[low + "_code"], r[high + "_code"]
            if a and (low, a) in parent and parent[low, a][0] != b:
                raise value_error(f"{label}: line {line}: {low} {a} lies in {high} {b} here but in "
                                  f"{parent[low, a][0]} on line {parent[low, a][1]}")
            if a:
                parent.setdefault((low, a), (b, line))
    out = pd.DataFrame([[v.strip() for v in f] for _, f in rows], columns=header, dtype=str)
    for lv in levels:
        n = int((out[lv + "_code"] == "").sum())
        if n:
            report.notes.append(f"{n} municipalities in no {lv} area")
    return attach(out, report)


def regions_by(municipalities, nesting=None, level=None, *, strict=False, ctx=None):
    """Regions at the level you report on: municipalities, or the areas of a
    nesting table (municipality -> 在宅医療圏 -> 二次医療圏) they make up.

    Parameters
    ----------
    municipalities : path, GeoDataFrame or Regions
        N03 municipalities (a path or GeoDataFrame goes through
        :func:`read_n03`), or :class:`zaitaku.Regions` keyed by municipality
        code.
    nesting : path or DataFrame, optional
        A nesting table (see :func:`read_nesting`); "hokkaido" for the
        bundled Hokkaido table.
    level : str, optional
        A level of the table (e.g. ``"iryoken2"``); None for municipalities.
    strict : bool
        Fail when a municipality has no area; by default it is dropped with
        a CoverageWarning naming it (N03's Northern Territories villages).

    Returns
    -------
    zaitaku.Regions

    Examples
    --------
    >>> import warnings, zaitaku
    >>> import pandas as pd
    >>> from zaitaku.official import regions_by
    >>> munis = zaitaku.read_regions(zaitaku.sample_path("municipalities.shp"), "muni_code", "muni_name")
    >>> table = pd.read_csv(zaitaku.sample_path("areas.csv"), dtype=str)
    >>> table = table.rename(columns={"area_code": "zaitaku_code", "area_name": "zaitaku_name"})
    >>> areas = regions_by(munis, table[["muni_code", "zaitaku_code", "zaitaku_name"]], "zaitaku")
    >>> areas.ids
    ['9901', '9902', '9903']
    """
    from ..inputs import Regions, read_regions

    if isinstance(municipalities, Regions):
        regions = municipalities
    else:
        munis = municipalities
        if not (hasattr(munis, "columns") and "muni_code" in munis.columns):
            munis = read_n03(munis)
        regions = read_regions(munis, "muni_code", "muni_name", ctx=ctx)
    if level in (None, "municipality", "muni"):
        return regions
    if nesting is None:
        raise ValueError(f"level {level!r} needs a nesting table (nesting=)")
    if isinstance(nesting, str) and nesting == "hokkaido":
        table = hokkaido_nesting()
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = read_nesting(nesting)
    if level not in nesting_levels(table):
        raise field_error(f"nesting table has no level {level!r} (levels: "
                          f"{', '.join(nesting_levels(table))})")
    name = level + "_name" if level + "_name" in table.columns else None
    table = table[table[level + "_code"] != ""]
    return regions.dissolve(table, "muni_code", level + "_code", name, strict=strict)
