"""MHLW's demand forecast per 構想区域 (= 二次医療圏): 「構想区域別の医療需要推計」
(令和7年度, https://www.mhlw.go.jp/content/10800000/001728462.xlsx), as MHLW
ships it (the xlsx) or as the tidy CSVs a third party made of it
(youkiti/visualize-regional-medical-care-for-2040: ``demand_forecast.csv``,
``demand_population.csv``). One row per area with a forecast factor
(target / base) that :meth:`zaitaku.Analysis.scale_demand` applies to
demand cells."""
import os
import re
import unicodedata
from pathlib import Path

import pandas as pd

from ._common import (ReadReport, attach, csv_rows, decode, field_error, format_error,
                      header_index, io_error, number, prefecture_code, read_bytes, value_error)

#: measure -> (xlsx sheet, demand_category of demand_forecast.csv)
MEASURES = {"home_visits": ("将来の在宅（訪問診療）需要推計", "在宅（訪問診療）"),
            "outpatient": ("将来の外来需要推計", "外来"),
            "population": ("将来の在宅（訪問診療）需要推計", None)}
#: the years of the population columns (MHLW's headers 人口(2024年度), 人口(2040年))
POPULATION_YEARS = (2024, 2040)

_COLUMNS = ["area_code", "area_name", "pref_code", "pref_name", "base", "target", "factor"]


def read_demand_forecast(source, prefecture=None, *, measure="home_visits", base_year=2024,
                         year=2040):
    """Forecast factors per 構想区域 (二次医療圏) from MHLW's 構想区域別の医療需要推計.

    Parameters
    ----------
    source : path
        MHLW's workbook as downloaded (``001728462.xlsx``; needs openpyxl),
        ``demand_forecast.csv`` (receipts per month, long form) or
        ``demand_population.csv`` (population 2024 and 2040), or a folder
        holding them (the CSV for the measure when present, else the one
        ``.xlsx``).
    prefecture : int or str, optional
        Keep this prefecture only (code ``1``/``"01"`` or name ``"北海道"``);
        the rows of the others are counted in a note of the report.
    measure : {"home_visits", "outpatient", "population"}
        What grows: 在宅（訪問診療） receipts per month (レセプト件数/月, the
        default: home-visit demand), 外来 receipts per month, or population
        (only 2024 and 2040 are published).
    base_year, year : int
        The factor is ``value(year) / value(base_year)``; receipts are
        published for 2024 (actual) and 2030-2050 (現状投影, projections on
        today's usage rates).

    Returns
    -------
    pandas.DataFrame
        One row per area: area_code (4 digits, str), area_name, pref_code,
        pref_name, base, target, factor. ``attrs["report"]`` is the
        :class:`ReadReport` (rows without a positive base or a number are
        rejected there, with file, line and field); ``attrs["measure"]``,
        ``attrs["base_year"]`` and ``attrs["year"]`` say what the factor is.

    Examples
    --------
    >>> import os, tempfile
    >>> from zaitaku.official import read_demand_forecast
    >>> path = os.path.join(tempfile.mkdtemp(), "demand_population.csv")
    >>> with open(path, "w", encoding="utf-8") as f:
    ...     _ = f.write("published_fy,pref_code,pref_name,area_code,area_name,population_2024,"
    ...                 "population_2040\\nR7,99,サンプル県,9901,中央,1000,800\\n")
    >>> f = read_demand_forecast(path, measure="population")
    >>> f[["area_code", "base", "target", "factor"]].values.tolist()
    [['9901', 1000.0, 800.0, 0.8]]
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, not {measure!r}")
    base_year, year = int(base_year), int(year)
    if measure == "population" and (base_year, year) != POPULATION_YEARS:
        raise ValueError(f"population is published for {POPULATION_YEARS[0]} and "
                         f"{POPULATION_YEARS[1]} only (base_year={base_year}, year={year})")
    path = _source_file(source, measure)
    pref = prefecture_code(prefecture)
    report = ReadReport(str(path))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path, measure, base_year, year)
    else:
        rows = _csv_rows(path, measure, base_year, year)
    out, other, seen = [], 0, {}
    for line, field, code, name, pref_code, pref_name, base, target in rows:
        if pref is not None and pref_code != pref:
            other += 1
            continue
        report.read += 1
        if code in seen:
            raise value_error(f"{path}: line {line}: area_code {code} ({name}) given twice "
                              f"(first on line {seen[code]})")
        seen[code] = line
        if base is None or target is None:
            report.reject(path, line, code, name, "not a number", field)
        elif not (base > 0 and target >= 0):
            report.reject(path, line, code, name, "base not positive or target negative",
                          f"{field}: {base:g} -> {target:g}")
        else:
            out.append((code, name, pref_code, pref_name, base, target, target / base))
    if other:
        report.notes.append(f"{other} rows of other prefectures skipped")
    report.notes.append(f"factor = {measure} {year} / {base_year}")
    if measure == "population":
        report.notes.append("MHLW's workbook heads the base column 人口(2024年度) while its "
                            "explanatory PDF (001728467) calls it 住民基本台帳人口 2025; the "
                            "figures are used as published")
    frame = pd.DataFrame(out, columns=_COLUMNS)
    frame.attrs.update(measure=measure, base_year=base_year, year=year)
    return attach(frame, report)


def _source_file(source, measure):
    path = Path(os.fspath(source))
    if not path.is_dir():
        if not path.exists():
            raise io_error(f"{path}: no such file")
        return path
    csv_name = "demand_population.csv" if measure == "population" else "demand_forecast.csv"
    if (path / csv_name).is_file():
        return path / csv_name
    books = sorted(path.glob("*.xlsx"))
    if len(books) != 1:
        raise io_error(f"{path}: no {csv_name} and {len(books)} .xlsx files in this folder "
                       "(give the file)")
    return books[0]


def _area_code(value):
    """'0101' from '0101', 101 or 101.0 (a workbook saved by Excel)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text.zfill(4) if text.isdigit() else text


def _csv_rows(path, measure, base_year, year):
    """(line, field, area_code, area_name, pref_code, pref_name, base,
    target) per area of one of the tidy CSVs."""
    label = str(path)
    text, _ = decode(read_bytes(path), label)
    records = csv_rows(text)
    try:
        hline, header = next(records)
    except StopIteration:
        raise format_error(f"{label}: empty file") from None
    col = {k: header_index(header, k, label, hline) for k in
           ("area_code", "area_name", "pref_code", "pref_name")}
    if "population_2024" in [h.strip() for h in header] or measure == "population":
        if measure != "population":
            raise field_error(f"{label}: line {hline}: a population table (population_2024, "
                              f"population_2040) has no {measure} figures: give "
                              "demand_forecast.csv or MHLW's xlsx")
        b = header_index(header, f"population_{base_year}", label, hline)
        t = header_index(header, f"population_{year}", label, hline)
        for line, f in records:
            f = f + [""] * (len(header) - len(f))
            bad = next((header[j] for j in (b, t) if number(f[j]) is None), header[b])
            yield (line, bad, _area_code(f[col["area_code"]]), f[col["area_name"]].strip(),
                   _area_code(f[col["pref_code"]])[-2:], f[col["pref_name"]].strip(),
                   number(f[b]), number(f[t]))
        return
    cat = header_index(header, "demand_category", label, hline)
    yc = header_index(header, "year", label, hline)
    vc = header_index(header, "receipts_per_month", label, hline)
    category = MEASURES[measure][1]
    areas = {}  # code -> [first line, name, pref, pref name, {year: (value, line)}]
    for line, f in records:
        f = f + [""] * (len(header) - len(f))
        if f[cat].strip() != category:
            continue
        y = number(f[yc])
        if y is None:
            raise value_error(f"{label}: line {line}: field year: {f[yc]!r} is not a year")
        if int(y) not in (base_year, year):
            continue
        code = _area_code(f[col["area_code"]])
        a = areas.setdefault(code, [line, f[col["area_name"]].strip(),
                                    _area_code(f[col["pref_code"]])[-2:],
                                    f[col["pref_name"]].strip(), {}])
        if int(y) in a[4]:
            raise value_error(f"{label}: line {line}: area_code {code}, {category} {int(y)} "
                              f"given twice (first on line {a[4][int(y)][1]})")
        a[4][int(y)] = (number(f[vc]), line, f[vc])
    for code, (line, name, pref, pref_name, values) in areas.items():
        for y in (base_year, year):
            if y not in values:
                raise value_error(f"{label}: line {line}: area_code {code} ({name}): no "
                                  f"{category} row for year {y} (field year)")
        (bv, bl, _), (tv, tl, _) = values[base_year], values[year]
        bad_line = bl if bv is None or not bv > 0 else tl
        yield (bad_line, "receipts_per_month", code, name, pref, pref_name, bv, tv)


def _xlsx_rows(path, measure, base_year, year):
    """The same rows from MHLW's workbook: sheet per measure, header row
    with 構想区域コード, the year labels (2024年度, 2030年度（現状投影）...)
    in the row above it."""
    label = str(path)
    try:
        import openpyxl
    except ImportError:
        raise ImportError("reading .xlsx needs openpyxl: pip install 'zaitaku[official]'") from None
    try:
        wb = openpyxl.load_workbook(label, read_only=True, data_only=True)
    except Exception as e:
        raise format_error(f"{label}: cannot be read as an xlsx workbook ({e})") from None
    try:
        sheet = MEASURES[measure][0]
        names = {_key(n): n for n in wb.sheetnames}
        if _key(sheet) not in names:
            raise format_error(f"{label}: no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})")
        rows = list(wb[names[_key(sheet)]].iter_rows(values_only=True))
    finally:
        wb.close()
    hi = next((i for i, r in enumerate(rows) if any(_key(c) == "構想区域コード" for c in r)), None)
    if hi is None:
        raise field_error(f"{label}!{sheet}: no header row with 構想区域コード in the first "
                          f"{len(rows)} rows")
    header = ["" if c is None else str(c) for c in rows[hi]]
    where = f"{label}!{sheet}"
    col = {k: header_index(header, h, where, hi + 1) for k, h in
           (("pref", "都道府県"), ("code", "構想区域コード"), ("name", "構想区域名"))}
    if measure == "population":
        b = header_index(header, ["人口(2024年度)", "人口(2024年)"], where, hi + 1)
        t = header_index(header, ["人口(2040年)", "人口(2040年度)"], where, hi + 1)
    else:
        years = {}
        for j, c in enumerate(rows[hi - 1] if hi else ()):
            m = re.match(r"(\d{4})年", _key(c))
            if m:
                years[int(m.group(1))] = j
        for y in (base_year, year):
            if y not in years:
                raise field_error(f"{where}: line {hi}: no column for {y} (years: "
                                  f"{', '.join(map(str, sorted(years)))})")
        b, t = years[base_year], years[year]
    for i in range(hi + 1, len(rows)):
        r = list(rows[i]) + [None] * (len(header) - len(rows[i]))
        if r[col["code"]] is None or not str(r[col["code"]]).strip():
            continue
        code = _area_code(r[col["code"]])
        bv, tv = _cell(r[b]), _cell(r[t])
        bad = header[b] if bv is None else header[t]
        yield (i + 1, f"column {_letters(b if bv is None else t)} ({bad})", code,
               str(r[col["name"]] or "").strip(), code[:2], str(r[col["pref"]] or "").strip(),
               bv, tv)


def _cell(value):
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return number(value)


def _letters(j):
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _key(text):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", "" if text is None else str(text)))
