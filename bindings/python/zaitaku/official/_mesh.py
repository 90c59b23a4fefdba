"""e-Stat census population on the JIS X 0410 mesh (地域メッシュ統計)."""
import os
import re
import unicodedata
import zipfile

import pandas as pd

from ..mesh import is_mesh_code
from ._common import (ReadReport, attach, csv_rows, decode, expand_sources, field_error,
                      format_error, number, read_bytes, value_error)
_COLSPAN = ["total", "male", "female", "households"]


def _norm(label):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", label))


def _auto_columns(codes, labels):
    """{name: column code} for total, age65 and age75, from the labels of
    the second header line (e.g. 人口（総数）, ６５歳以上人口　総数)."""
    out = {}
    for code, label in zip(codes, labels):
        t = _norm(label)
        both = "総数" in t or not re.search(r"男|女", t)
        if "total" not in out and t in ("人口(総数)", "人口総数", "総数", "総人口"):
            out["total"] = code
        elif "age65" not in out and "65歳以上" in t and both and "世帯" not in t:
            out["age65"] = code
        elif "age75" not in out and "75歳以上" in t and both and "世帯" not in t:
            out["age75"] = code
    return out


def _files(source):
    """(label, bytes) of every table: plain files, and the .txt/.csv files
    inside zip archives (as e-Stat delivers them)."""
    for path in expand_sources(source, ("*.txt", "*.csv", "*.zip")):
        if path.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(path) as z:
                    names = [n for n in z.namelist() if n.lower().endswith((".txt", ".csv"))]
                    if not names:
                        raise format_error(f"{path}: no .txt or .csv table in the zip archive")
                    for n in names:
                        yield f"{path}!{n}", z.read(n)
            except zipfile.BadZipFile as e:
                raise format_error(f"{path}: not a zip archive ({e})") from None
        else:
            yield os.fspath(path), read_bytes(path)


def read_estat_mesh(source, columns=None, *, encoding=None):
    """Reads census population on the JIS X 0410 mesh, as e-Stat distributes
    it, from one or several files (one per first-level mesh).

    Two layouts are recognised by their first line:

    - **published** (地域メッシュ統計, e.g. ``tblT001141H5339.txt``): a first
      header line of column codes (``KEY_CODE``, ``HTKSYORI``, ``HTKSAKI``,
      ``GASSAN``, ``T001141001`` ...), a second of their Japanese labels
      (``人口（総数）``, ``６５歳以上人口　総数`` ...), then one line per cell.
      Cells merged for secrecy have ``HTKSYORI`` = 2 and ``*`` instead of
      numbers: their people are counted in the cell named by ``HTKSAKI``, so
      the row is dropped (and listed in the report) without losing anyone.
      ``-`` means none (0). A ``*`` elsewhere in a chosen column cannot be
      counted: that row is rejected and reported.
    - **header-less** (the 2010 500 m table republished as CSV): code,
      total, male, female, households.

    The encoding (CP932 as e-Stat ships it, or UTF-8 with or without BOM) is
    detected per file. A mesh code seen twice is kept once and the second
    row reported.

    Parameters
    ----------
    source : path, folder or list of paths
        Files (``.txt``, ``.csv``, or ``.zip`` archives holding them) or a
        folder of them.
    columns : dict, optional
        Output name -> column code (published layout), e.g.
        ``{"total": "T001141001", "age65": "T001141019"}``. By default the
        columns whose labels say total population, 65 and over, and 75 and
        over (whichever exist); for the header-less layout ``total, male,
        female, households``.
    encoding : str, optional
        Force an encoding instead of detecting it.

    Returns
    -------
    pandas.DataFrame
        ``mesh_code`` (text) and one float column per chosen statistic, with
        the report in ``.attrs["report"]``; ready for
        :func:`zaitaku.read_demand` with ``mesh_field="mesh_code"``.

    Examples
    --------
    >>> import tempfile, warnings, zaitaku
    >>> from zaitaku.official import read_estat_mesh
    >>> text = ("KEY_CODE,HTKSYORI,HTKSAKI,GASSAN,T001141001,T001141019\\r\\n"
    ...         ",,,,人口（総数）,６５歳以上人口　総数\\r\\n"
    ...         "533946011,0,,,120,30\\r\\n"
    ...         "533946012,1,,533946013,15,-\\r\\n"
    ...         "533946013,2,533946012,,*,*\\r\\n")
    >>> path = tempfile.mkdtemp() + "/tblT001141H5339.txt"
    >>> _ = open(path, "wb").write(text.encode("cp932"))
    >>> with warnings.catch_warnings(record=True):
    ...     warnings.simplefilter("always")
    ...     people = read_estat_mesh(path)
    >>> people.values.tolist()
    [['533946011', 120.0, 30.0], ['533946012', 15.0, 0.0]]
    >>> people.attrs["report"].counts()
    {'secret: merged into another cell (HTKSYORI=2)': 1}
    >>> dem = zaitaku.read_demand(people, mesh_field="mesh_code", weight_fields=["total", "age65"])
    >>> int(dem.weights("total").sum())
    135
    """
    report = ReadReport("")
    labels, frames, seen = [], [], {}
    chosen = None
    for label, data in _files(source):
        labels.append(label)
        text, _ = decode(data, label, encoding)
        rows = csv_rows(text)
        first = next(rows, None)
        if first is None:
            raise format_error(f"{label}: the file is empty")
        line, fields = first
        if fields[0].strip().lstrip("\ufeff") == "KEY_CODE":
            frame, names = _published(label, rows, fields, columns, report, seen)
        elif fields[0].strip().isdigit():
            frame, names = _colspan(label, [first], rows, columns, report, seen)
        else:
            raise format_error(f"{label}: line {line}: neither an e-Stat mesh table (first "
                               f"column KEY_CODE) nor a header-less one (a mesh code first); "
                               f"found {fields[0]!r}")
        if chosen is not None and names != chosen:
            raise field_error(f"{label}: its columns {names} differ from the previous files' {chosen}")
        chosen = names
        frames.append(frame)
    if not frames:
        raise format_error("read_estat_mesh: no files given")
    report.source = labels[0] if len(labels) == 1 else f"{len(labels)} files ({labels[0]}, ...)"
    out = pd.concat(frames, ignore_index=True)
    return attach(out, report)


def _cell(text, label, line, column, name):
    t = text.strip()
    if t in ("-", "－", "‐"):
        return 0.0
    if t in ("*", "＊", "X", "χ", "…", ""):
        return None
    v = number(t)
    if v is None:
        raise value_error(f"{label}: line {line}, column {column} ({name}): {text!r} is not a number")
    return v


def _accept(label, line, code, report, seen):
    code = code.strip()
    if not is_mesh_code(code):  # libcoverage's decoder: the one validation
        report.reject(label, line, code, "", "not a JIS X 0410 mesh code")
        return None
    if code in seen:
        report.reject(label, line, code, "", "duplicate mesh code", f"first at {seen[code]}")
        return None
    seen[code] = f"{label}:{line}"
    return code


def _published(label, rows, codes, columns, report, seen):
    codes = [c.strip().lstrip("\ufeff") for c in codes]
    second = next(rows, None)
    if second is None:
        raise format_error(f"{label}: line 2: the second header line (column labels) is missing")
    labels = second[1] + [""] * (len(codes) - len(second[1]))
    if columns is None:
        columns = _auto_columns(codes, labels)
        if not columns:
            raise field_error(f"{label}: no column labelled as total population, 65+ or 75+ "
                              f"(labels: {', '.join(l for l in labels if l)}); pass columns=")
    idx = {}
    for name, code in columns.items():
        if code not in codes:
            raise field_error(f"{label}: line 1: no column {code!r} (columns: {', '.join(codes)})")
        idx[name] = codes.index(code)
    secret = codes.index("HTKSYORI") if "HTKSYORI" in codes else None
    target = codes.index("HTKSAKI") if "HTKSAKI" in codes else None
    out = {"mesh_code": []} | {name: [] for name in columns}
    for line, f in rows:
        if len(f) != len(codes):
            raise format_error(f"{label}: line {line}: {len(f)} fields, the header has {len(codes)}")
        report.read += 1
        if secret is not None and f[secret].strip() == "2":
            into = f[target].strip() if target is not None else "?"
            report.reject(label, line, f[0].strip(), "",
                          "secret: merged into another cell (HTKSYORI=2)", f"counted in {into}")
            continue
        values = {n: _cell(f[i], label, line, i + 1, codes[i]) for n, i in idx.items()}
        missing = [codes[idx[n]] for n, v in values.items() if v is None]
        if missing:
            report.reject(label, line, f[0].strip(), "", "secret or empty cell",
                          f"column {', '.join(missing)}: {f[idx[next(iter(idx))]]!r}")
            continue
        code = _accept(label, line, f[0], report, seen)
        if code is None:
            continue
        out["mesh_code"].append(code)
        for n, v in values.items():
            out[n].append(v)
    return pd.DataFrame(out), list(columns)


def _colspan(label, first, rows, columns, report, seen):
    names = list(columns) if columns else _COLSPAN
    positions = list(columns.values()) if columns else [2, 3, 4, 5]
    positions = [int(p) - 1 for p in positions]  # 1-based column numbers, as read_demand takes
    out = {"mesh_code": []} | {n: [] for n in names}
    width = None
    for line, f in [*first, *rows]:
        width = width or len(f)
        if len(f) != width or max(positions) >= len(f):
            raise format_error(f"{label}: line {line}: {len(f)} fields, expected {width}")
        report.read += 1
        values = [_cell(f[p], label, line, p + 1, f"column {p + 1}") for p in positions]
        if any(v is None for v in values):
            report.reject(label, line, f[0].strip(), "", "secret or empty cell")
            continue
        code = _accept(label, line, f[0], report, seen)
        if code is None:
            continue
        out["mesh_code"].append(code)
        for n, v in zip(names, values):
            out[n].append(v)
    return pd.DataFrame(out), names
