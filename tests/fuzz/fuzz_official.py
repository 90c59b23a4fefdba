#!/usr/bin/env python3
"""Fuzz targets for the official-data readers of zaitaku (Python, atheris):

- ``fuzz_kouseikyoku``: :func:`zaitaku.official.read_kouseikyoku_todokede`
  on a 地方厚生局 届出受理医療機関名簿, as .xlsx (the fast XML reader and,
  for workbooks it leaves alone, openpyxl) or as CSV;
- ``fuzz_estat_mesh``: :func:`zaitaku.official.read_estat_mesh` on an
  e-Stat 地域メッシュ統計 table, plain or inside a zip archive.

An input's first byte chooses what the rest replaces (the whole file, or one
member of a valid workbook or archive), so libFuzzer mutates the XML and the
CSV text themselves instead of losing every input at the zip's CRC. A reader
may return a table or raise one of zaitaku's errors (:class:`CoverageError`,
which names the file, record and field); anything else (an IndexError, a
traceback from openpyxl), a run past ``-timeout`` or memory past
``-rss_limit_mb`` is a finding.

Usage (scripts/fuzz.sh runs them, with the corpus of tests/fuzz/corpus/):
  python tests/fuzz/fuzz_official.py TARGET [libFuzzer options] CORPUS_DIR
  python tests/fuzz/fuzz_official.py TARGET --replay FILE_OR_DIR...
The seed inputs are written by tests/fuzz/make_corpus.py (seeds() below);
tests/python/test_fuzz_official.py replays the corpus without atheris.
"""
import io
import os
import sys
import tempfile
import warnings
import zipfile

# ---- the 厚生局 workbook -------------------------------------------------------

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_HEADER = ["項番", "都道府県名", "医療機関番号", "医療機関名称", "医療機関所在地（住所）", "病床数",
           "受理届出名称", "受理記号", "受理番号", "算定開始年月日"]
_ROWS = [
    ["1", "北海道", "0110001", "北のクリニック", "札幌市中央区南一条西16丁目291番地", "",
     "在宅療養支援診療所", "支援診１", "第1号", "令和7年4月1日"],
    ["2", "北海道", "0110002", "みなと病院", "函館市港町1丁目10番1号", "一般　　24／療養　　30",
     "在宅療養支援病院", "（支援病３）", "第2号", "R7.4.1"],
    ["3", "北海道", "0110003", "かわのクリニック", "旭川市1条通1丁目1番", "", "在宅時医学総合管理料",
     "在医総管１", "第3号", "H30.4.1"],
]
_TABLE = [["届出受理医療機関名簿（医科）"], ["令和7年6月1日現在"], _HEADER, *_ROWS]


def _letters(j):
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _shared_strings(table):
    strings = sorted({c for row in table for c in row})
    si = "".join(f"<si><t>{s}</t></si>" for s in strings)
    xml = f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="{len(strings)}">{si}</sst>'
    return xml, {s: k for k, s in enumerate(strings)}


def _sheet(table, index, numeric=False):
    rows = []
    for i, row in enumerate(table, start=1):
        cells = []
        for j, c in enumerate(row):
            ref = f"{_letters(j)}{i}"
            if numeric and j == 0 and c.isdigit():
                cells.append(f'<c r="{ref}"><v>{c}</v></c>')  # a number: openpyxl's path
            else:
                cells.append(f'<c r="{ref}" t="s"><v>{index[c]}</v></c>')
        rows.append(f'<row r="{i}">{"".join(cells)}</row>')
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData>'
            f'{"".join(rows)}</sheetData></worksheet>')


def workbook_members(numeric=False):
    """{member: bytes} of a small valid 届出 workbook (openpyxl reads it too)."""
    sst, index = _shared_strings(_TABLE)
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
          'package/2006/content-types"><Default Extension="rels" ContentType="application/'
          'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
          '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
          'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
          '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
          'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.'
          'xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
          'sharedStrings+xml"/></Types>')
    root = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>')
    book = (f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS} {_RNS}><sheets>'
            '<sheet name="届出" sheetId="1" r:id="rId1"/></sheets></workbook>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>')
    members = {"[Content_Types].xml": ct, "_rels/.rels": root, "xl/workbook.xml": book,
               "xl/_rels/workbook.xml.rels": rels, "xl/sharedStrings.xml": sst,
               "xl/worksheets/sheet1.xml": _sheet(_TABLE, index, numeric)}
    return {k: v.encode("utf-8") for k, v in members.items()}


def _zip(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():  # a fixed date: the same bytes on every run
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


# Modes of fuzz_kouseikyoku: the first byte modulo their number.
_XLSX_MEMBERS = ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml",
                 "xl/worksheets/sheet1.xml"]
_KOUSEIKYOKU_MODES = ["xlsx", *_XLSX_MEMBERS, "csv", "numeric-sheet"]


def _kouseikyoku_file(mode, body, folder):
    """(path) of the file mode and body describe, written in folder."""
    name = _KOUSEIKYOKU_MODES[mode % len(_KOUSEIKYOKU_MODES)]
    if name == "csv":
        path, data = os.path.join(folder, "todokede.csv"), body
    elif name == "xlsx":
        path, data = os.path.join(folder, "todokede.xlsx"), body
    else:
        members = workbook_members(numeric=name == "numeric-sheet")
        if name == "numeric-sheet":
            name = "xl/worksheets/sheet1.xml"
        members[name] = body
        path, data = os.path.join(folder, "todokede.xlsx"), _zip(members)
    with open(path, "wb") as f:
        f.write(data)
    return path


# ---- the e-Stat mesh table ----------------------------------------------------

def estat_table():
    """A small table in e-Stat's published layout (国勢調査 2020, T001141), CP932
    with CRLF as distributed, with a secret cell (*), a none (-) and a merged
    cell (HTKSYORI 2 pointing at its 合算先)."""
    lines = ["KEY_CODE,HTKSYORI,HTKSAKI,GASSAN,T001141001,T001141002,T001141019,T001141022",
             ",,,,人口（総数）,人口（総数）　男,６５歳以上人口　総数,７５歳以上人口　総数",
             "644142001,0,,,120,58,40,21",
             "644142002,1,,644142003,15,8,-,-",
             "644142003,2,644142002,,4,*,*,*",
             "644142004,0,,,1002,480,310,160"]
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


_ESTAT_MODES = ["zip-member", "txt", "zip", "colspan-csv"]
_MEMBER = "tblT001141H6441.txt"


def _estat_file(mode, body, folder):
    name = _ESTAT_MODES[mode % len(_ESTAT_MODES)]
    if name == "zip-member":
        path, data = os.path.join(folder, "tblT001141H6441.zip"), _zip({_MEMBER: body})
    elif name == "zip":
        path, data = os.path.join(folder, "tblT001141H6441.zip"), body
    elif name == "txt":
        path, data = os.path.join(folder, _MEMBER), body
    else:
        path, data = os.path.join(folder, "population_mesh.csv"), body
    with open(path, "wb") as f:
        f.write(data)
    return path


# ---- the targets ---------------------------------------------------------------

def seeds():
    """{target: {file name: bytes}}: the seed corpus make_corpus.py writes."""
    wb = workbook_members()
    k = {f"mode{m}_{n.replace('/', '_').replace('[', '').replace(']', '')}":
         bytes([m]) + wb[n] for m, n in enumerate(_KOUSEIKYOKU_MODES) if n in wb}
    k["mode0_xlsx"] = bytes([0]) + _zip(wb)
    csv = "\r\n".join(",".join(r) for r in _TABLE).encode("cp932")
    k["mode5_csv"] = bytes([5]) + csv
    k["mode6_numeric_sheet"] = bytes([6]) + workbook_members(numeric=True)["xl/worksheets/sheet1.xml"]
    # inputs that found faults once (kept so they stay fixed)
    sheet = wb["xl/worksheets/sheet1.xml"].decode("utf-8")
    short = [*_TABLE[:3], *(r[:-1] for r in _ROWS)]  # 算定開始年月日 empty in every data row
    k["found_short_rows"] = bytes([4]) + _sheet(short, _shared_strings(_TABLE)[1]).encode("utf-8")
    k["found_unknown_encoding"] = bytes([1]) + wb["xl/workbook.xml"].replace(
        b'encoding="UTF-8"', b'encoding="UTF-9"')
    k["found_beyond_xfd"] = bytes([4]) + sheet.replace('r="J5"', 'r="ZZZZZZZ5"').encode("utf-8")
    # a column of 20 letters: past int64 in the shared-string fast path (issue 15's reader)
    k["found_column_beyond_int64"] = bytes([4]) + sheet.replace(
        'r="J5"', 'r="' + "Z" * 20 + '5"').encode("utf-8")
    table = estat_table()
    colspan = b"644142001,120,58,62,50\r\n644142002,15,8,7,6\r\n"
    e = {"mode0_zip_member": bytes([0]) + table, "mode1_txt": bytes([1]) + table,
         "mode2_zip": bytes([2]) + _zip({_MEMBER: table}), "mode3_colspan": bytes([3]) + colspan}
    return {"fuzz_kouseikyoku": k, "fuzz_estat_mesh": e}


def one_input(target, data):
    """Reads the file data describes with the target's reader; returns
    normally when the reader returned a table or raised one of zaitaku's
    errors, and lets anything else through."""
    from zaitaku import official
    from zaitaku.errors import CoverageError

    if not data:
        return
    with tempfile.TemporaryDirectory(prefix="zaitaku-fuzz-") as folder:
        if target == "fuzz_kouseikyoku":
            path = _kouseikyoku_file(data[0], data[1:], folder)
            read = official.read_kouseikyoku_todokede
        elif target == "fuzz_estat_mesh":
            path = _estat_file(data[0], data[1:], folder)
            read = official.read_estat_mesh
        else:
            raise SystemExit(f"fuzz_official.py: unknown target {target!r} "
                             f"(fuzz_kouseikyoku, fuzz_estat_mesh)")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                read(path)
            except CoverageError:
                pass


def _replay(target, paths):
    n = 0
    for p in paths:
        files = [os.path.join(p, f) for f in sorted(os.listdir(p))] if os.path.isdir(p) else [p]
        for f in files:
            with open(f, "rb") as fh:
                one_input(target, fh.read())
            n += 1
    print(f"{target}: {n} inputs replayed, none crashed")


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    target = argv[1]
    if len(argv) > 2 and argv[2] == "--replay":
        return _replay(target, argv[3:])
    import atheris
    import numpy  # noqa: F401  (imported before the instrumented block: not instrumented)
    import pandas  # noqa: F401

    with atheris.instrument_imports(include=["zaitaku"]):
        import zaitaku.official  # noqa: F401  (its code gives libFuzzer its coverage)
    atheris.Setup([argv[0], *argv[2:]], lambda data: one_input(target, data))
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
