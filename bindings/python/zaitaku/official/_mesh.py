"""e-Stat census population on the JIS X 0410 mesh (地域メッシュ統計)."""
import io
import os
import re
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd

from ..mesh import is_mesh_code
from ._common import (ReadReport, attach, csv_rows, decode, expand_sources, field_error, read_member,
                      format_error, number, read_bytes, value_error)
_COLSPAN = ["total", "male", "female", "households"]


def _norm(label):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", label))


def _auto_columns(codes, labels):
    """{name: column code} for total, age65, age75, age85 and households,
    from the labels of the second header line (e.g. 人口（総数）,
    ６５歳以上人口　総数, 世帯総数)."""
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
        elif "age85" not in out and "85歳以上" in t and both and "世帯" not in t:
            out["age85"] = code
        elif "households" not in out and t in ("世帯総数", "世帯数"):
            out["households"] = code
    return out


def _first_level(path):
    """The first-level mesh (4 digits) an e-Stat file name says it holds
    (``tblT001141H6441.zip``: 6441), or None."""
    m = re.search(r"H(\d{4})(?!\d)", Path(path).stem)
    return m.group(1) if m else None


def _outside(code, bounds):
    """True when first-level mesh `code` (40' x 1 degree) misses the
    lon/lat box."""
    south, west = int(code[:2]) / 1.5, 100 + int(code[2:])
    return west > bounds[2] or west + 1 < bounds[0] or south > bounds[3] or south + 2 / 3 < bounds[1]


def _files(source, bounds=None, skipped=None):
    """(label, bytes) of every table: plain files, and the .txt/.csv files
    inside zip archives (as e-Stat delivers them); with bounds, files whose
    name gives a first-level mesh outside them are skipped (and listed)."""
    for path in expand_sources(source, ("*.txt", "*.csv", "*.zip")):
        code = _first_level(path) if bounds is not None else None
        if code is not None and _outside(code, bounds):
            skipped.append(code)
            continue
        if path.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(path) as z:
                    names = [n for n in z.namelist() if n.lower().endswith((".txt", ".csv"))]
                    if not names:
                        raise format_error(f"{path}: no .txt or .csv table in the zip archive")
                    for n in names:
                        yield f"{path}!{n}", read_member(z, n, path)
            except zipfile.BadZipFile as e:
                raise format_error(f"{path}: not a zip archive ({e})") from None
        else:
            yield os.fspath(path), read_bytes(path)


def read_estat_mesh(source, columns=None, *, encoding=None, bounds=None):
    """Reads census population on the JIS X 0410 mesh, as e-Stat distributes
    it, from one or several files (one per first-level mesh).

    Two layouts are recognised by their first line:

    - **published** (地域メッシュ統計, e.g. ``tblT001141H5339.txt``): a first
      header line of column codes (``KEY_CODE``, ``HTKSYORI``, ``HTKSAKI``,
      ``GASSAN``, ``T001141001`` ...), a second of their Japanese labels
      (``人口（総数）``, ``６５歳以上人口　総数`` ...), then one line per cell.
      Cells merged for secrecy (合算) have ``HTKSYORI`` = 2: e-Stat keeps
      their total (and households) but moves their detail (ages, sexes of
      age groups) into the cell named by ``HTKSAKI``, writing ``*`` in
      their own. They are kept: their total counts, their detail is NaN
      and ``merged_into`` names the cell that holds it, so sums over all
      cells lose nobody. ``*`` is missing (NaN) wherever it appears, never
      zero; ``-`` means none (0). The report's notes say how many cells
      and people have unknown detail and where it went.
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
        columns whose labels say total population, 65, 75 and 85 and over,
        and households (whichever exist; T001141 has all five); for the
        header-less layout ``total, male, female, households``.
    encoding : str, optional
        Force an encoding instead of detecting it.
    bounds : (west, south, east, north), optional
        Read only the files whose first-level mesh (named in the file name,
        as e-Stat names them: ``tblT001141H6441.zip``) meets this lon/lat
        box, e.g. a prefecture's extent; files without a code in their name
        are read. The report's notes count the files skipped.

    Returns
    -------
    pandas.DataFrame
        ``mesh_code`` (text), one float column per chosen statistic (NaN
        where e-Stat wrote ``*``) and, for the published layout,
        ``merged_into`` (the ``HTKSAKI`` of merged cells, else empty), with
        the report in ``.attrs["report"]``; ready for
        :func:`zaitaku.read_demand` with ``mesh_field="mesh_code"``. Before
        weighting by an age column, fill its NaN with 0: those people are
        already in the ``merged_into`` cell's count.

    Examples
    --------
    >>> import tempfile, warnings, zaitaku
    >>> from zaitaku.official import read_estat_mesh
    >>> text = ("KEY_CODE,HTKSYORI,HTKSAKI,GASSAN,T001141001,T001141019\\r\\n"
    ...         ",,,,人口（総数）,６５歳以上人口　総数\\r\\n"
    ...         "533946011,0,,,120,30\\r\\n"
    ...         "533946012,1,,533946013,15,-\\r\\n"
    ...         "533946013,2,533946012,,4,*\\r\\n")
    >>> path = tempfile.mkdtemp() + "/tblT001141H5339.txt"
    >>> _ = open(path, "wb").write(text.encode("cp932"))
    >>> people = read_estat_mesh(path)
    >>> people.fillna(-1).values.tolist()
    [['533946011', 120.0, 30.0, ''], ['533946012', 15.0, 0.0, ''], ['533946013', 4.0, -1.0, '533946012']]
    >>> print(people.attrs["report"].notes[0])
    1 cells merged for secrecy (合算, HTKSYORI=2), 4 people: their total is kept; their age65 are unknown (NaN) and counted in the cell named in merged_into, so sums over all cells keep them
    >>> people = people.fillna({"age65": 0})
    >>> dem = zaitaku.read_demand(people, mesh_field="mesh_code", weight_fields=["total", "age65"])
    >>> int(dem.weights("total").sum())
    139
    """
    report = ReadReport("")
    labels, frames, seen = [], [], {}
    chosen = None
    if bounds is not None:
        bounds = tuple(float(b) for b in bounds)
        if len(bounds) != 4 or not (bounds[0] < bounds[2] and bounds[1] < bounds[3]):
            raise value_error(f"read_estat_mesh: bounds {bounds!r} is not (west, south, east, north)")
    skipped = []
    for label, data in _files(source, bounds, skipped):
        labels.append(label)
        text, _ = decode(data, label, encoding)
        rows = csv_rows(text)
        first = next(rows, None)
        if first is None:
            raise format_error(f"{label}: the file is empty")
        line, fields = first
        if fields[0].strip().lstrip("\ufeff") == "KEY_CODE":
            frame, names = _published(label, rows, fields, columns, report, seen, text)
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
        raise format_error("read_estat_mesh: no files given" + (
            f" (all {len(skipped)} lie outside bounds {bounds})" if skipped else ""))
    if skipped:
        box = ", ".join(f"{b:.2f}" for b in bounds)
        report.notes.append(f"{len(skipped)} files outside bounds ({box}) not read "
                            f"(first-level meshes {', '.join(sorted(skipped)[:8])}"
                            f"{', ...' if len(skipped) > 8 else ''})")
    report.source = labels[0] if len(labels) == 1 else f"{len(labels)} files ({labels[0]}, ...)"
    out = pd.concat(frames, ignore_index=True)
    if "merged_into" in out:
        _merge_notes(out, chosen, report)
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


def _published(label, rows, codes, columns, report, seen, text):
    """The published layout, read column-wise (all of Japan is 466,145 rows)."""
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
    for code in columns.values():
        if code not in codes:
            raise field_error(f"{label}: line 1: no column {code!r} (columns: {', '.join(codes)})")
    wanted = [0, len(codes) - 1] + [codes.index(c) for c in columns.values()]
    wanted += [codes.index(c) for c in ("HTKSYORI", "HTKSAKI") if c in codes]
    table = _table(label, text, len(codes), second[0], sorted(set(wanted)))
    report.read += len(table)
    first = second[0] + 1
    lines = pd.Series(table.index.to_numpy() + first)
    merged = (table[codes.index("HTKSYORI")].str.strip() == "2" if "HTKSYORI" in codes
              else pd.Series(False, index=table.index))
    into = (table[codes.index("HTKSAKI")].str.strip().where(merged, "") if "HTKSAKI" in codes
            else pd.Series("", index=table.index))
    values = {n: _column(table[codes.index(c)], label, lines, codes.index(c) + 1, c)
              for n, c in columns.items()}
    mesh = table[0].str.strip()
    keep = _accept_all(label, lines, mesh, report, seen)
    out = pd.DataFrame({"mesh_code": mesh} | values)
    out["merged_into"] = into
    return out[keep.to_numpy()].reset_index(drop=True), list(columns)


def _table(label, text, width, header_lines, usecols):
    """The data lines of a published table as a frame of strings; a line
    with another number of fields is an error naming it."""
    body = text.split("\n", header_lines)[-1] if text.count("\n") >= header_lines else ""
    lines = pd.Series(body.split("\n"), dtype=str).str.rstrip("\r")
    while len(lines) and lines.iloc[-1] == "":
        lines = lines.iloc[:-1]   # the final line break
    fields = lines.str.count(",") + 1
    odd = (fields != width) & ~lines.str.contains('"', regex=False)
    if odd.any():
        i = int(odd.to_numpy().nonzero()[0][0])
        raise format_error(f"{label}: line {i + header_lines + 1}: {fields.iloc[i]} fields, "
                           f"the header has {width}")
    try:
        table = pd.read_csv(io.StringIO(body), header=None, dtype=str, keep_default_na=False,
                            na_values=[], skip_blank_lines=False, names=range(width),
                            usecols=usecols, nrows=len(lines))
    except (pd.errors.ParserError, ValueError) as e:
        raise format_error(f"{label}: {e} (after the {header_lines} header lines); "
                           f"the header has {width} fields") from None
    return table


_NONE = ("-", "－", "‐")
_MISSING = ("*", "＊", "X", "χ", "…", "")


def _column(col, label, lines, position, name):
    """Numbers of one column: '-' is 0, '*' (secret) and blanks are NaN;
    anything else that is not a number is an error naming its line."""
    t = col.str.strip()
    v = pd.to_numeric(t.str.replace(",", "", regex=False), errors="coerce")
    v = v.mask(t.isin(_NONE), 0.0).astype("float64")
    bad = v.isna() & ~t.isin(_MISSING)
    if bad.any():
        odd = t[bad]
        fixed = odd.map(lambda s: number(s))   # full-width digits, rare: cell by cell
        v[odd.index] = fixed.astype("float64")
        still = fixed.isna()
        if still.any():
            i = still[still].index[0]
            raise value_error(f"{label}: line {lines[i]}, column {position} ({name}): "
                              f"{col[i]!r} is not a number")
    return v


def _accept_all(label, lines, mesh, report, seen):
    """Which rows have a valid, not yet seen mesh code; the others are
    reported."""
    # libcoverage's decoder is the one validation (about 2 us a code)
    valid = pd.Series([is_mesh_code(c) for c in mesh.to_numpy(dtype=object)], index=mesh.index,
                      dtype=bool)
    for i in valid[~valid].index:
        report.reject(label, lines[i], mesh[i], "", "not a JIS X 0410 mesh code")
    before = pd.Series([c in seen for c in mesh.to_numpy(dtype=object)], index=mesh.index, dtype=bool)
    dup = valid & (mesh.duplicated() | before)
    new = valid & ~dup
    first = dict(zip(mesh[new].to_numpy(dtype=object), (f"{label}:{n}" for n in lines[new].to_numpy())))
    for i in dup[dup].index:
        where = seen.get(mesh[i]) or first.get(mesh[i])
        report.reject(label, lines[i], mesh[i], "", "duplicate mesh code", f"first at {where}")
    seen.update(first)
    return valid & ~dup


def _merge_notes(out, names, report):
    """Notes on cells merged for secrecy and on other missing values."""
    secret = [n for n in names if n != "mesh_code"]
    merged = (out["merged_into"] != "").to_numpy()
    if merged.any():
        lost = [n for n in secret if out[n][merged].isna().all()]
        people = out["total"][merged].sum() if "total" in out else float("nan")
        report.notes.append(
            f"{int(merged.sum())} cells merged for secrecy (合算, HTKSYORI=2)"
            + (f", {people:,.0f} people: their total is kept" if "total" in out else "")
            + (f"; their {', '.join(lost)} are unknown (NaN) and counted in the cell named in "
               f"merged_into, so sums over all cells keep them" if lost else ""))
    other = {n: int(out[n][~merged].isna().sum()) for n in secret}
    other = {n: k for n, k in other.items() if k}
    if other:
        report.notes.append(f"secret or empty values ('*') outside merged cells, kept as "
                            f"NaN: " + ", ".join(f"{n} {k}" for n, k in other.items()))


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
