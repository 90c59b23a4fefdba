"""地方厚生局 届出受理医療機関名簿 (施設基準の届出受理状況, 医科): every 届出 of
every institution, one row per institution, with the home-care kinds and
attributes its 届出 give.

Kinds follow libcoverage's identifiers (include/libcoverage/facilities.h,
planning.h), which know one enhanced type for clinics and hospitals alike:

========  ===============================  =================  ===========
受理記号   施設基準                         kind               institution
========  ===============================  =================  ===========
支援診1    在支診 機能強化型 (単独型)         enhanced_single    clinic
支援診2    在支診 機能強化型 (連携型)         enhanced_network   clinic
支援診3    在支診 (従来型)                   zaishin            clinic
支援病1    在支病 機能強化型 (単独型)         enhanced_single    hospital
支援病2    在支病 機能強化型 (連携型)         enhanced_network   hospital
支援病3    在支病 (従来型)                   zaibyo             hospital
在後病     在宅療養後方支援病院              backup_hospital    hospital
========  ===============================  =================  ===========

An enhanced 在支病 keeps its enhanced type as its kind (so the planning
checks count it as enhanced and as a home-care doctor) and says it is a
hospital in ``institution``; ``shien`` keeps the code itself.
"""
import contextlib
import gc
import html
import itertools
import re
import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from ..errors import FileFormatError
from ._common import (PREFECTURES, ReadReport, attach, csv_rows, decode, expand_sources, read_member,
                               field_error, format_error, io_error, prefecture_code, read_bytes)

# The columns every 厚生局 publishes (all seven layouts in shared/ have them,
# with 都道府県コード or 都道府県名), matched after NFKC and without spaces.
REQUIRED = ("医療機関番号", "医療機関名称", "受理記号")
OPTIONAL = {"address": ("医療機関所在地(住所)", "医療機関所在地", "所在地", "住所"),
            "postal_code": ("医療機関所在地(郵便番号)", "郵便番号"),
            "beds": ("病床数",), "notification": ("受理届出名称",), "since": ("算定開始年月日",),
            "pref_code": ("都道府県コード",), "pref_name": ("都道府県名",), "type": ("種別",)}

# Other home-care 届出, as boolean columns: name -> (受理記号 after NFKC, 受理届出名称).
HOME_CARE_ATTRIBUTES = {
    "home_medical_management": (("在医総管1", "在医総管"), "在宅時医学総合管理料及び施設入居時等医学総合管理料"),
    "home_medical_management_note14": (("在医総管2",), "在宅時医学総合管理料の注14に規定する基準"),
    "home_cancer_care": (("在総",), "在宅がん医療総合診療料"),
    "palliative_care_enhanced": (("在緩診実", "在緩診病"), "在宅緩和ケア充実診療所・病院加算"),
    "home_care_record_1": (("在診実1", "在病実1"), "在宅療養実績加算1"),
    "home_care_record_2": (("在診実2", "在病実2"), "在宅療養実績加算2"),
    "home_nursing_visits": (("在看",), "在宅患者訪問看護・指導料及び同一建物居住者訪問看護・指導料"),
    "home_nursing_system": (("訪看充",), "訪問看護・指導体制充実加算"),
    "home_nursing_specialist": (("訪看専",), "在宅患者訪問看護・指導料の専門管理加算"),
    "remote_death_certification": (("訪看遠隔",), "遠隔死亡診断補助加算"),
    "home_care_dx": (("在宅DX",), "在宅医療DX情報活用加算"),
    "home_care_information_link": (("医情連",), "在宅医療情報連携加算"),
    "care_facility_house_calls": (("介保連",), "介護保険施設等連携往診加算"),
    "home_opioid_infusion": (("在医麻",), "在宅患者医療用麻薬持続注射療法加算"),
    "home_parenteral_nutrition": (("在中栄",), "在宅中心静脈栄養法加算"),
    "home_pressure_ulcer": (("在訪褥",), "在宅患者訪問褥瘡管理指導料"),
    "psychiatric_home_support": (("精在宅援",), "精神科在宅患者支援管理料"),
    "backup_hospital": (("在後病",), "在宅療養後方支援病院"),
}

_SHIEN = re.compile(r"^支援(診|病)([123])")
_KINDS = {("診", "1"): "enhanced_single", ("診", "2"): "enhanced_network", ("診", "3"): "zaishin",
          ("病", "1"): "enhanced_single", ("病", "2"): "enhanced_network", ("病", "3"): "zaibyo"}
_RANK = {"enhanced_single": 4, "enhanced_network": 3, "zaishin": 2, "zaibyo": 2,
         "backup_hospital": 1, "": 0}
_ERAS = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018,
         "M": 1867, "T": 1911, "S": 1925, "H": 1988, "R": 2018}
# Bed types of a 病床数 cell (``一般　　24／療養　　30／介護　　54``), as
# read_iryojoho_facilities names them: 介護 (介護療養病床) is a 療養病床 and
# 一般（感染） the 感染症病床 (市立札幌病院: 一般 626／一般（感染） 8／精神 38 in
# the list, 一般 626, 感染症 8, 精神 38 in 医療情報ネット).
BED_TYPES = {"一般": "beds_general", "療養": "beds_long_term", "介護": "beds_long_term",
             "精神": "beds_psychiatric", "結核": "beds_tuberculosis",
             "一般(感染)": "beds_infectious"}
BED_COLUMNS = ["beds_general", "beds_long_term", "beds_psychiatric", "beds_tuberculosis",
               "beds_infectious"]
COLUMNS = ["institution_code", "name", "address", "postal_code", "beds", *BED_COLUMNS,
           "bed_types", "kind",
           "institution", "shien", "kind_since", "network_id", "symbols",
           *HOME_CARE_ATTRIBUTES, "file", "line"]


def _key(text):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_VALUE = re.compile(r"<v>(.*?)</v>", re.S)
_TEXT = re.compile(r"<t(?:\s[^>]*)?>(.*?)</t>", re.S)
_PHONETIC = re.compile(r"<rPh\b.*?</rPh>", re.S)


_MAX_COLUMNS = 16384  # A..XFD, Excel's limit (and the xlsx format's)


class _NotPlain(Exception):
    """A workbook the fast reader leaves to openpyxl."""


def _column(letters):
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


# A cell as the 厚生局 lists write every one: a shared string (``<c r="B7"
# s="0" t="s"><v>12</v></c>``) or empty; on the sheet's bytes (the tags are
# ASCII, and UTF-8 puts no ASCII byte inside a character).
_SHARED_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>/]*)(?:/>|></c>|><v>(\d+)</v></c>)')


@contextlib.contextmanager
def _no_cycle_collection():
    """The cyclic garbage collector paused: findall's million tuples of
    bytes (which hold no cycles) would make it sweep the growing heap again
    and again, adding a fifth to the time of reading the 北海道 list."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@_no_cycle_collection()
def _shared_rows(data, strings):
    """[(row number, cells)] of a sheet whose every cell is a shared string
    or empty, as :func:`_cell_rows` gives them, with numpy instead of a loop
    per cell (the 北海道 list has 880,000 cells); None for any other sheet,
    which :func:`_cell_rows` then reads (and says what is wrong with it).

    Every ``<c r="`` starting a match is what makes this exact: _CELL then
    finds the same cells (each match holds one ``<c r="``, and its
    attributes hold no ``>`` or ``/``), with the same attributes and a body
    ``<v>N</v>`` or none."""
    cells = _SHARED_CELL.findall(data)
    if len(cells) != data.count(b'<c r="'):
        return None  # a cell of another form (inline string, number, formula, ...)
    if not cells:
        return []
    letters, rows, attrs, values = zip(*cells)
    del cells
    n = len(values)
    has = np.fromiter(map(bool, values), bool, n)
    if not all(b't="s"' in a for a in set(itertools.compress(attrs, has))):
        return None  # a number or a date
    # numbers beyond what a sheet holds (XFD, row 1,048,576, an index of a
    # billion strings) are the loop's to name, and would not fit in int64
    if (max(map(len, set(letters))) > 3 or max(map(len, set(rows))) > 9 or
            max(map(len, set(values))) > 9):
        return None
    # each distinct text converted once
    column = {k: _column(k.decode("ascii")) for k in set(letters)}
    number = {k: int(k) for k in set(rows)}
    index = {k: int(k) if k else -1 for k in set(values)}
    col = np.fromiter(map(column.__getitem__, letters), np.int64, n)[has]
    row = np.fromiter(map(number.__getitem__, rows), np.int64, n)[has]
    idx = np.fromiter(map(index.__getitem__, values), np.int64, n)[has]
    if not len(idx):
        return []
    if col.max() >= _MAX_COLUMNS or idx.max() >= len(strings):
        return None  # the loop names the cell
    order = np.lexsort((col, row))
    col, row, idx = col[order], row[order], idx[order]
    key = row * _MAX_COLUMNS + col
    if (np.diff(key) == 0).any():
        return None  # a cell written twice: the loop keeps the last
    numbers, start = np.unique(row, return_index=True)
    width = col[np.r_[start[1:], len(col)] - 1] + 1   # the last cell of each row
    if len(numbers) * int(width.max()) > 4 * len(col) + 65536:
        return None  # rows far apart in width: the loop builds them one by one
    at = np.repeat(np.arange(len(numbers)), np.diff(np.r_[start, len(col)]))
    grid = np.full((len(numbers), int(width.max())), "", dtype=object)
    text = np.array(strings, dtype=object)
    grid[at, col] = text[idx]
    filled = np.array([bool(s.strip()) for s in strings], dtype=bool)[idx]
    kept = np.bincount(at, weights=filled, minlength=len(numbers)) > 0
    full = grid.tolist()
    return [(r, full[i][:w])
            for i, (r, w, k) in enumerate(zip(numbers.tolist(), width.tolist(), kept.tolist())) if k]


def _cell_rows(xml, strings, path, name):
    """[(row number, cells)] of a sheet's XML text, cell by cell; rows
    without text are left out."""
    rows = {}
    for col, row, attrs, body in _CELL.findall(xml):
        if not body:
            continue
        if 't="s"' in attrs:
            value = strings[int(_VALUE.search(body).group(1))]
        elif 't="inlineStr"' in attrs:
            value = html.unescape("".join(_TEXT.findall(_PHONETIC.sub("", body))))
        else:
            raise _NotPlain(f"cell {col}{row} is not text")
        j = _column(col)
        if j >= _MAX_COLUMNS:  # a damaged sheet, not a row of 10^12 cells
            raise format_error(f"{path}: sheet {name!r}, cell {col}{row}: "
                               f"beyond Excel's last column XFD; not an xlsx sheet")
        rows.setdefault(int(row), {})[j] = value
    table = []
    for r in sorted(rows):
        cells = rows[r]
        table.append((r, [cells.get(i, "") for i in range(max(cells) + 1)]))
    return [(i, c) for i, c in table if any(x.strip() for x in c)]


def _plain_xlsx(path):
    """The sheets of a workbook whose cells are all shared or inline strings
    (as every 厚生局 list is), read straight from its XML: the same cells as
    openpyxl gives, in less than half the time. Anything else (numbers, dates,
    formulas) raises _NotPlain and goes to openpyxl."""
    try:
        with zipfile.ZipFile(path) as z:
            book = ElementTree.fromstring(read_member(z, "xl/workbook.xml", path))
            rels = ElementTree.fromstring(read_member(z, "xl/_rels/workbook.xml.rels", path))
            target = {r.get("Id"): r.get("Target") for r in rels}
            strings = []
            if "xl/sharedStrings.xml" in z.namelist():
                sst = read_member(z, "xl/sharedStrings.xml", path).decode("utf-8")
                strings = [html.unescape("".join(_TEXT.findall(_PHONETIC.sub("", si))))
                           for si in re.findall(r"<si>(.*?)</si>", sst, re.S)]
            out = []
            for sheet in book.iter(_MAIN + "sheet"):
                t = target[sheet.get(_REL + "id")]
                data = read_member(z, t.lstrip("/") if t.startswith("/") else "xl/" + t, path)
                xml = data.decode("utf-8")  # a sheet not in UTF-8 goes to openpyxl
                table = _shared_rows(data, strings)
                if table is None:
                    table = _cell_rows(xml, strings, path, sheet.get("name"))
                out.append((sheet.get("name"), table))
            return out
    except FileFormatError:
        raise  # a member too large to inflate: openpyxl must not try either
    except (LookupError, ValueError, AttributeError, TypeError,
            ElementTree.ParseError, zipfile.BadZipFile) as e:
        raise _NotPlain(str(e)) from None


def _sheets(path):
    """[(sheet name, [(row number, cells)])] of an xlsx workbook or a CSV
    file (one unnamed sheet)."""
    label = str(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        if not path.exists():
            raise io_error(f"{label}: no such file")
        try:
            return _plain_xlsx(path)
        except _NotPlain:
            pass
        try:
            import openpyxl
        except ImportError:
            raise ImportError("reading .xlsx needs openpyxl: pip install 'zaitaku[official]'") from None
        if not path.exists():
            raise io_error(f"{label}: no such file")
        try:
            wb = openpyxl.load_workbook(label, read_only=True, data_only=True)
        except Exception as e:
            raise format_error(f"{label}: cannot be read as an xlsx workbook ({e})") from None
        out = []
        try:
            for ws in wb.worksheets:
                rows = [(i, ["" if v is None else str(v) for v in r])
                        for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
                out.append((ws.title, [(i, c) for i, c in rows if any(x.strip() for x in c)]))
        except MemoryError:
            raise
        except Exception as e:  # openpyxl reads sheets lazily: a damaged one fails here
            raise format_error(f"{label}: a sheet cannot be read ({type(e).__name__}: {e})") from None
        finally:
            wb.close()
        return out
    text, _ = decode(read_bytes(path), label)
    return [("", list(csv_rows(text)))]


def _header(rows):
    """(index, {column: position}) of the header row among the first 40."""
    for k, (_, cells) in enumerate(rows[:40]):
        keys = [_key(c) for c in cells]
        if all(r in keys for r in REQUIRED):
            pos = {r: keys.index(r) for r in REQUIRED}
            for name, options in OPTIONAL.items():
                pos[name] = next((keys.index(_key(o)) for o in options if _key(o) in keys), None)
            return k, pos
    return None, None


def era_date(text):
    """An ISO date from a Japanese era date as the lists write it
    (``令和 7年 4月 1日``, ``平成元年 4月 1日``, ``R7.4.1``); "" when empty,
    None when unreadable."""
    t = _key(text)
    if not t:
        return ""
    m = re.match(r"^(明治|大正|昭和|平成|令和|[MTSHR])(\d+|元)[年.](\d+)[月.](\d+)日?$", t)
    if not m:
        m2 = re.match(r"^(\d{4})[-/年.](\d+)[-/月.](\d+)", t)
        return f"{int(m2[1]):04d}-{int(m2[2]):02d}-{int(m2[3]):02d}" if m2 else None
    year = _ERAS[m[1]] + (1 if m[2] == "元" else int(m[2]))
    return f"{year:04d}-{int(m[3]):02d}-{int(m[4]):02d}"


def _beds(text):
    """Total beds of a 病床数 cell (``療養　206／一般　231`` -> 437); NaN when empty."""
    numbers = re.findall(r"\d+", unicodedata.normalize("NFKC", text))
    return float(sum(map(int, numbers))) if numbers else np.nan


def _bed_types(text):
    """Beds per type of a 病床数 cell: (dict of BED_COLUMNS, problem).

    Parts are separated by ／; each is a type, an optional second word and
    a count (``精神　療養　165``: psychiatric beds of a 精神療養 ward; ``一般
    一般　19``; ``一般　感染　6`` and ``一般（感染）　一般　6``: infectious).
    Types the cell does not name have 0 beds; a type without a count, and
    every type of an empty cell, NaN. ``その他`` beds count in ``beds`` only.
    A part of another form leaves the whole cell NaN and is returned as the
    problem.
    """
    unknown = dict.fromkeys(BED_COLUMNS, np.nan)
    t = unicodedata.normalize("NFKC", text).strip()
    if not t:
        return unknown, None
    out = dict.fromkeys(BED_COLUMNS, 0.0)
    for part in filter(None, (p.strip() for p in t.split("/"))):
        m = re.fullmatch(r"([^\s\d]+)(?:\s+([^\s\d]+))?(?:\s*(\d+))?", part)
        if m and m[1] == "その他":
            continue
        infectious = m and "感染" in (m[2] or "")
        column = "beds_infectious" if infectious else BED_TYPES.get(m[1]) if m else None
        if column is None:
            return unknown, part
        out[column] = np.nan if m[3] is None else out[column] + float(m[3])
    return out, None


_SPACES_PARENS = re.compile(r"[\s()（）]")
_NOT_DIGIT = re.compile(r"\D")


def _each(column, f):
    """f of every cell of a text column, each distinct text once: a list
    repeats an institution's cells on each of its 届出 rows (36,000 rows,
    5,000 institutions in 北海道's)."""
    codes, texts = pd.factorize(column)
    if (codes < 0).any():   # a missing cell: never in what _sheets gives
        return column.map(f, na_action="ignore")
    done = np.array([f(t) for t in texts] + [""], dtype=object)
    return pd.Series(done[codes], index=column.index, dtype=column.dtype, name=column.name)


def _frame(label, sheet, rows, pos):
    """The data rows of one sheet as a frame of NFKC-normalised text. Rows
    are padded to the header's columns too: a sheet whose last columns are
    empty in every data row (no 算定開始年月日 anywhere) has shorter rows."""
    width = max([len(c) for _, c in rows] + [p + 1 for p in pos.values() if p is not None])
    cells = [c + [""] * (width - len(c)) for _, c in rows]
    raw = pd.DataFrame(cells, dtype=str) if cells else pd.DataFrame(columns=range(width), dtype=str)
    col = lambda k: (raw[pos[k]] if pos.get(k) is not None  # noqa: E731
                     else pd.Series("", index=raw.index, dtype=str))
    nfkc = lambda s: _each(s, lambda t: unicodedata.normalize("NFKC", t).strip())  # noqa: E731
    sym = _each(col("受理記号"),
                lambda t: _SPACES_PARENS.sub("", unicodedata.normalize("NFKC", t).strip()))
    return pd.DataFrame({
        "number": _each(col("医療機関番号"),
                        lambda t: _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", t).strip())),
        "raw_number": col("医療機関番号"), "name": _each(col("医療機関名称"), str.strip),
        "address": _each(col("address"), str.strip), "postal_code": nfkc(col("postal_code")),
        "bed_types": _each(col("beds"), str.strip), "symbol": sym,
        "notification": nfkc(col("notification")), "since": col("since"),
        "pref_code": nfkc(col("pref_code")), "pref_name": nfkc(col("pref_name")),
        "type": nfkc(col("type")), "file": label,
        "line": [f"{sheet}!{i}" if sheet else str(i) for i, _ in rows]})


def read_kouseikyoku_todokede(source, prefecture=None, *, keep="kinds", network_field=None):
    """Reads 地方厚生局 届出受理医療機関名簿 (施設基準の届出受理状況, 医科; xlsx
    or CSV) as published, and gives one row per institution with all its
    届出 codes and the home-care kinds and attributes they imply.

    Every 厚生局 publishes one row per institution and 届出 (several when a
    届出 has 備考 lines), under a few title lines, with (among others)
    ``医療機関番号`` (7 digits), ``医療機関名称``, ``医療機関所在地（住所）``
    (without the prefecture), ``病床数``, ``受理届出名称``, ``受理記号`` (full
    width: ``支援診１``) and ``算定開始年月日`` (era dates), and
    ``都道府県コード`` or ``都道府県名``. The header row is found by its
    医療機関番号, 医療機関名称 and 受理記号 cells in the first 40 rows of every
    sheet; the header row, column order, sheets and title lines may differ.

    Kinds (see the module table): 支援診1/2/3 -> enhanced_single,
    enhanced_network, zaishin; 支援病1/2/3 -> enhanced_single,
    enhanced_network, zaibyo with ``institution`` hospital; 在宅療養後方支援病院
    (在後病) -> backup_hospital. An institution holding several keeps the
    strongest (enhanced, then 在支診/在支病, then backup). The other
    home-care 届出 become boolean columns (:data:`HOME_CARE_ATTRIBUTES`).

    Parameters
    ----------
    source : path, folder or list of paths
        ``.xlsx`` (needs openpyxl: ``pip install 'zaitaku[official]'``) or
        ``.csv`` files, or a folder of them.
    prefecture : int or str, optional
        The lists' prefecture (for the 10-digit code); by default from the
        都道府県コード or 都道府県名 column.
    keep : {"kinds", "all"}
        Keep the institutions with a kind (default), or all of them (kind
        "" for those without).
    network_field : str, optional
        A column naming the network of 連携型 institutions (lists that give
        one); its text becomes ``network_id``.

    Returns
    -------
    pandas.DataFrame
        ``institution_code`` (10 digits: prefecture, 1 for 医科, 医療機関番号),
        ``name, address, postal_code``, ``beds`` (the 病床数 cell summed, NaN
        when empty), ``beds_general, beds_long_term, beds_psychiatric,
        beds_tuberculosis, beds_infectious`` (the cell per type, as
        :func:`read_iryojoho_facilities` has them: 介護 counts as 療養,
        一般（感染） as 感染症; types the cell does not name 0, all NaN when it
        is empty), ``bed_types`` (the cell), ``kind``, ``institution``
        (clinic or hospital: from the 支援 code, else 種別, else 20 beds or
        more, else a name ending in 病院), ``shien`` (支援診1 ...), ``kind_since`` (ISO date
        of that 届出), ``network_id``, ``symbols`` (every 受理記号, NFKC,
        joined by ``|``), one boolean column per home-care attribute,
        ``file`` and ``line`` (sheet!row of the institution's first row). No
        coordinates: see :func:`zaitaku.official.locate_facilities` and
        :func:`match_facilities`.

    Raises
    ------
    FieldError
        A file none of whose sheets has the header (the message names the
        file, every sheet and the header expected).

    Examples
    --------
    >>> import tempfile
    >>> from zaitaku.official import read_kouseikyoku_todokede
    >>> rows = ["届出受理医療機関名簿（医科）", "",
    ...         "項番,都道府県名,医療機関番号,医療機関名称,医療機関所在地（住所）,受理記号,受理番号,算定開始年月日",
    ...         "1,北海道,0112345,さっぽろ在宅クリニック,札幌市中央区南1条西1-1,（支援診２）,第1号,令和 6年 6月 1日",
    ...         "2,北海道,0112345,さっぽろ在宅クリニック,札幌市中央区南1条西1-1,在医総管１,第2号,平成20年 4月 1日",
    ...         "3,北海道,0198765,みなと病院,函館市港町1丁目10番1号,支援病３,第3号,令和 7年10月 1日"]
    >>> path = tempfile.mkdtemp() + "/todokede.csv"
    >>> _ = open(path, "w", encoding="cp932").write("\\n".join(rows))
    >>> t = read_kouseikyoku_todokede(path)
    >>> t[["institution_code", "kind", "institution", "shien", "kind_since"]].values.tolist()
    [['0110112345', 'enhanced_network', 'clinic', '支援診2', '2024-06-01'], ['0110198765', 'zaibyo', 'hospital', '支援病3', '2025-10-01']]
    >>> t.home_medical_management.tolist(), t.symbols.tolist()
    ([True, False], ['支援診2|在医総管1', '支援病3'])
    """
    if keep not in ("kinds", "all"):
        raise ValueError(f"keep must be 'kinds' or 'all', not {keep!r}")
    paths = expand_sources(source, ("*.xlsx", "*.xlsm", "*.csv"))
    labels, frames = [], []
    for path in paths:
        path = Path(path)
        label = str(path)
        labels.append(label)
        sheets = _sheets(path)
        found = 0
        for sheet, rows in sheets:
            k, pos = _header(rows)
            if k is None:
                continue
            found += 1
            if network_field:
                keys = [_key(c) for c in rows[k][1]]
                if _key(network_field) not in keys:
                    raise field_error(f"{label}: sheet {sheet!r}, row {rows[k][0]}: no column "
                                      f"{network_field!r}")
                pos["network"] = keys.index(_key(network_field))
            frame = _frame(label, sheet, rows[k + 1:], pos)
            if network_field:
                frame["network"] = [c[pos["network"]] if pos["network"] < len(c) else ""
                                    for _, c in rows[k + 1:]]
            frames.append(frame)
        if not found:
            names = ", ".join(repr(s) for s, _ in sheets) or "none"
            raise field_error(
                f"{label}: sheets {names}: no header row with {', '.join(REQUIRED)} in the first "
                f"40 rows; expected the 届出受理医療機関名簿 header (項番, 都道府県コード, 都道府県名, "
                f"区分, 医療機関番号, ..., 医療機関名称, 医療機関所在地（住所）, 病床数, 受理届出名称, "
                f"受理記号, 受理番号, 算定開始年月日)")
    report = ReadReport(labels[0] if len(labels) == 1 else f"{len(labels)} files ({labels[0]}, ...)")
    rows = pd.concat(frames, ignore_index=True)
    out = _institutions(rows, prefecture, report, network_field is not None)
    if keep == "kinds":
        out = out[out.kind != ""].reset_index(drop=True)
    return attach(out, report)


def _institutions(rows, prefecture, report, has_network):
    report.read = len(rows)
    bad = rows.number.str.len() != 7
    blank = rows.name == ""
    for r in rows[bad | blank].itertuples():
        report.reject(r.file, r.line, r.raw_number, r.name,
                      "no 7-digit 医療機関番号" if len(r.number) != 7 else "no name")
    rows = rows[~(bad | blank)].copy()
    pref = prefecture_code(prefecture)
    if pref is None:
        code = rows.pref_code.str.zfill(2).where(rows.pref_code.str.fullmatch(r"\d{1,2}"), "")
        named = rows.pref_name.map({p: f"{i:02d}" for i, p in enumerate(PREFECTURES, 1)}).fillna("")
        rows["pref"] = code.where(code != "", named)
    else:
        rows["pref"] = pref
    rows["institution_code"] = (rows.pref + "1" + rows.number).where(rows.pref != "", rows.number)
    m = rows.symbol.str.extract(_SHIEN)
    rows["kind"] = [_KINDS.get((a, b), "") if isinstance(a, str) else "" for a, b in zip(m[0], m[1])]
    rows.loc[rows.symbol == "在後病", "kind"] = "backup_hospital"
    rows["rank"] = rows.kind.map(_RANK)
    rows["order"] = np.arange(len(rows))
    g = rows.groupby("institution_code", sort=False)
    first = g.head(1).set_index("institution_code")
    best = (rows.sort_values(["rank", "order"], ascending=[False, True])
            .drop_duplicates("institution_code").set_index("institution_code"))
    out = first[["name", "address", "postal_code", "bed_types", "type", "file", "line"]].copy()
    out["kind"] = best.kind.reindex(out.index)
    strong = best.reindex(out.index)
    out["shien"] = strong.symbol.where(strong.kind.isin(["enhanced_single", "enhanced_network",
                                                         "zaishin", "zaibyo"]), "")
    dates = {d: era_date(d) for d in strong.since.unique()}
    out["kind_since"] = strong.since.map(dates).where(out.kind != "", "").fillna("")
    for d, iso in dates.items():
        if iso is None:
            report.notes.append(f"算定開始年月日 {d!r} is not a date; kind_since left empty")
    out["beds"] = out.bed_types.map(_beds)
    parsed = [_bed_types(t) for t in out.bed_types]
    for column in BED_COLUMNS:
        out[column] = [p[column] for p, _ in parsed]
    for (_, problem), (ic, row) in zip(parsed, out.iterrows()):
        if problem is not None:
            report.notes.append(f"{row.file} {row.line} ({row['name']}): 病床数 「{row.bed_types}」: "
                                f"part 「{problem}」 is not a bed type and count; its beds "
                                "per type are left unknown")
    # 医療法 第1条の5: a hospital has 20 beds or more, a clinic 19 at most.
    out["institution"] = np.select(
        [out.shien.str.startswith("支援診"), out.shien.str.startswith("支援病"),
         out.kind == "backup_hospital", out.type.str.contains("病院"),
         out.type.str.contains("診療所"), out.beds >= 20, out.beds > 0,
         out.name.str.contains(r"病院\s*$", regex=True)],
        ["clinic", "hospital", "hospital", "hospital", "clinic", "hospital", "clinic", "hospital"],
        "clinic")
    symbols = rows[rows.symbol != ""].drop_duplicates(["institution_code", "symbol"])
    out["symbols"] = symbols.groupby("institution_code", sort=False).symbol.agg("|".join) \
        .reindex(out.index).fillna("")
    holders = {}   # symbol -> the institutions holding it
    for ic, s in zip(symbols.institution_code, symbols.symbol):
        holders.setdefault(s, set()).add(ic)
    for attr, (codes, _) in HOME_CARE_ATTRIBUTES.items():
        have = set().union(*(holders.get(c, ()) for c in codes))
        out[attr] = out.index.isin(list(have))
    if has_network:
        net = rows.drop_duplicates("institution_code").set_index("institution_code").network
        out["network_id"] = net.reindex(out.index).where(out.kind == "enhanced_network", "")
    else:
        out["network_id"] = ""
    held = rows[rows.kind != ""].drop_duplicates(["institution_code", "symbol"])
    several = held.groupby("institution_code").kind.nunique()
    for ic in several[several > 1].index:
        codes = held[held.institution_code == ic]
        listed = ", ".join(f"{s} since {era_date(d) or d}" for s, d in zip(codes.symbol, codes.since))
        report.notes.append(f"{out.name[ic]} ({ic}) holds several kinds ({listed}); "
                            f"kept as {out.kind[ic]}")
    out = out.reset_index()
    return out[COLUMNS]
