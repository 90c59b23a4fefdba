"""Facility points from MHLW's open data: 医療情報ネット hospital files and
介護サービス情報公表システム visiting-nurse stations (CSV or the JSON digest)."""
import json
import os
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from ._common import (PointCheck, ReadReport, attach, coordinate_problem, csv_rows,
                      decode, format_error, header_index, number, prefecture_code,
                      read_bytes, value_error, zip_member)

FACILITY_COLUMNS = ["facility_id", "name", "kind", "lon", "lat"]


def _rows_of(path, suffixes=(".csv",)):
    """(label, text) of a CSV file, or of the one CSV inside a zip."""
    path = Path(path)
    if path.suffix.lower() == ".zip":
        name, data = zip_member(path, suffixes)
        label = f"{path}!{name}"
    else:
        data, label = read_bytes(path), os.fspath(path)
    text, _ = decode(data, label)
    return label, text


def _open_csv(source):
    """(label, report, rows, header line, header) of a CSV file or zipped
    CSV: rows is the iterator over the records after the header."""
    label, text = _rows_of(source)
    rows = csv_rows(text)
    try:
        hline, header = next(rows)
    except StopIteration:
        raise format_error(f"{label}: the file is empty") from None
    return label, ReadReport(label), rows, hline, header


def _finish(records, report, check, extra_columns):
    """Applies the coordinate and prefecture checks to parsed records
    (dicts with file/line/id/name/lon/lat...), fills the report, and
    returns the kept ones as a DataFrame."""
    frame = pd.DataFrame(records, columns=["file", "line"] + FACILITY_COLUMNS + extra_columns)
    if frame.empty:
        return frame.drop(columns=["file", "line"])
    problem = [coordinate_problem(x, y) for x, y in zip(frame.lon, frame.lat)]
    ok = np.array([p is None for p in problem])
    inside = np.zeros(len(frame), dtype=bool)
    inside[ok] = check.inside(frame.lon.to_numpy()[ok], frame.lat.to_numpy()[ok])
    for i in np.flatnonzero(~inside):
        r = frame.iloc[i]
        reason = problem[i] or check.describe
        report.reject(r.file, r.line, r.facility_id, r["name"], reason,
                      f"lon {r.lon}, lat {r.lat}")
    dup = frame.facility_id.duplicated() & inside
    for i in np.flatnonzero(dup):
        r = frame.iloc[i]
        report.reject(r.file, r.line, r.facility_id, r["name"], "duplicate id")
    keep = inside & ~dup.to_numpy()
    return frame[keep].drop(columns=["file", "line"]).reset_index(drop=True)


# ---------------------------------------------------------------- 医療情報ネット

_IRYOJOHO_KINDS = {"1": "hospital", "2": "clinic", "3": "dental_clinic"}
#: Bed columns of the 医療情報ネット 施設票 (オープンデータ定義書) and ours. The
#: 療養病床 breakdown (のうち医療保険適用 / 介護保険適用) is part of 療養病床.
IRYOJOHO_BEDS = {"一般病床": "beds_general", "療養病床": "beds_long_term",
                 "精神病床": "beds_psychiatric", "結核病床": "beds_tuberculosis",
                 "感染症病床": "beds_infectious"}
BED_COLUMNS = list(IRYOJOHO_BEDS.values())


def read_iryojoho_facilities(source, prefecture=None, *, bounds=None, kind=None):
    """Reads a 医療情報ネット (MHLW medical information net) facility file.

    The file is the open data as MHLW publishes it: a zip archive holding one
    CSV (UTF-8 with BOM; CP932 and plain UTF-8 are accepted too) with the
    columns of the オープンデータ定義書 (施設票): ``ID``, ``正式名称``,
    ``機関区分`` (1 hospital, 2 clinic, 3 dental clinic), ``都道府県コード``,
    ``市区町村コード`` (3 digits), ``所在地``, ``所在地座標（緯度）``,
    ``所在地座標（経度）`` and, for hospitals and clinics, bed counts per type
    (``一般病床``, ``療養病床``, ``精神病床``, ``結核病床``, ``感染症病床``) and
    ``合計病床数``.

    Rows whose coordinates are missing or 0.0/0.0 (the file's sentinel for
    "not geocoded"), or that lie outside the prefecture, are excluded and
    listed in the report (``.attrs["report"]``), with a CoverageWarning.

    Parameters
    ----------
    source : path
        The ``.zip`` as downloaded, or the CSV inside it.
    prefecture : int or str, optional
        Keep only this prefecture (code such as ``1`` / ``"01"`` or name
        ``"北海道"``), by its ``都道府県コード``; rows of other prefectures are
        skipped silently (they are not errors) but counted in the report's
        notes.
    bounds : tuple, geometry, GeoDataFrame or Regions, optional
        Where points may lie: ``(west, south, east, north)`` or polygons
        (e.g. the prefecture's N03 municipalities, with a 1 km tolerance).
        By default Hokkaido's box for prefecture 01, otherwise Japan's box
        (with a warning that the check is coarse).
    kind : str, optional
        Kind given to every facility; by default from 機関区分 (``hospital``,
        ``clinic``, ``dental_clinic``).

    Returns
    -------
    pandas.DataFrame
        ``facility_id, name, kind, lon, lat, beds`` (合計病床数),
        ``beds_general, beds_long_term, beds_psychiatric, beds_tuberculosis,
        beds_infectious`` (一般, 療養, 精神, 結核, 感染症; NaN when the cell is
        empty, as the file leaves the types a hospital lacks; all NaN when
        the file has no such column), ``pref_code, muni_code, address``, one
        row per kept facility (``muni_code`` is the 5-digit JIS code); ready
        for :func:`zaitaku.read_facilities` with ``kind_field="kind",
        name_field="name", beds_field="beds",
        beds_psychiatric_field="beds_psychiatric"`` (hospitals whose beds
        are all psychiatric are then no designation candidates: see
        :func:`zaitaku.planning.candidates`).

    Examples
    --------
    >>> import tempfile, warnings, zaitaku
    >>> from zaitaku.official import read_iryojoho_facilities
    >>> head = ("ID,正式名称,機関区分,都道府県コード,市区町村コード,所在地,所在地座標（緯度）,"
    ...         "所在地座標（経度）,合計病床数")
    >>> rows = ["0111,北の病院,1,01,101,北海道札幌市中央区北１条西１,43.06,141.35,120",
    ...         "0112,座標のない病院,1,01,202,北海道函館市港町１,0.0,0.0,60"]
    >>> path = tempfile.mkdtemp() + "/hospitals.csv"
    >>> _ = open(path, "w", encoding="utf-8-sig").write("\\n".join([head] + rows))
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     df = read_iryojoho_facilities(path, prefecture="北海道")
    >>> df[["facility_id", "kind", "beds", "muni_code"]].values.tolist()
    [['0111', 'hospital', 120.0, '01101']]
    >>> df.attrs["report"].counts()
    {'no coordinates (0.0/0.0)': 1}
    >>> len(zaitaku.read_facilities(df, kind_field="kind", name_field="name"))
    1
    """
    pref = prefecture_code(prefecture)
    check = PointCheck(pref, bounds)
    label, report, rows, hline, header = _open_csv(source)
    col = {k: header_index(header, k, label, hline) for k in
           ("ID", "正式名称", "機関区分", "都道府県コード", "市区町村コード", "所在地",
            "所在地座標（緯度）", "所在地座標（経度）")}
    beds_col = header_index(header, "合計病床数", label, hline, optional=True)
    type_cols = [header_index(header, k, label, hline, optional=True) for k in IRYOJOHO_BEDS]
    records, other_pref = [], 0
    for line, f in rows:
        if len(f) != len(header):
            raise format_error(f"{label}: line {line}: {len(f)} fields, the header has {len(header)}")
        report.read += 1
        row_pref = f[col["都道府県コード"]].strip().zfill(2)
        if pref is not None and row_pref != pref:
            other_pref += 1
            continue
        lat_text, lon_text = f[col["所在地座標（緯度）"]], f[col["所在地座標（経度）"]]
        lat, lon = number(lat_text), number(lon_text)
        fid, name = f[col["ID"]].strip(), f[col["正式名称"]].strip()
        if (lat is None and lat_text.strip()) or (lon is None and lon_text.strip()):
            report.reject(label, line, fid, name, "coordinates not numeric",
                          f"緯度 {lat_text!r}, 経度 {lon_text!r}")
            continue
        beds = _bed_count(f, beds_col, label, line, "合計病床数")
        by_type = [_bed_count(f, c, label, line, k) for c, k in zip(type_cols, IRYOJOHO_BEDS)]
        records.append([label, line, fid, name,
                        kind or _IRYOJOHO_KINDS.get(f[col["機関区分"]].strip(), "facility"),
                        np.nan if lon is None else lon, np.nan if lat is None else lat,
                        beds, *by_type, row_pref,
                        row_pref + f[col["市区町村コード"]].strip().zfill(3),
                        f[col["所在地"]].strip()])
    if other_pref:
        report.read -= other_pref
        report.notes.append(f"{other_pref} rows of other prefectures skipped")
    frame = _finish(records, report, check,
                    ["beds"] + BED_COLUMNS + ["pref_code", "muni_code", "address"])
    return attach(frame, report)


def _bed_count(fields, col, label, line, name):
    """A bed count cell: NaN when the column is absent or the cell empty; a
    number >= 0, else an error naming the file, line and column."""
    if col is None or not fields[col].strip():
        return np.nan
    value = number(fields[col])
    if value is None or not 0 <= value < float("inf"):
        raise value_error(f"{label}: line {line}, column {name}: {fields[col]!r} is not a "
                           "number of beds")
    return value


# ---------------------------------------------------------------- any point list

def read_facility_csv(source, *, id_field, lon_field, lat_field, name_field=None, kind="facility",
                      kind_field=None, prefecture=None, bounds=None, keep_fields=()):
    """Reads facility points from any CSV with a header and lon/lat columns
    (UTF-8 with or without BOM, or CP932), with the same checks as the
    official readers: rows with missing, 0.0/0.0, or out-of-prefecture
    coordinates are excluded and reported.

    Parameters
    ----------
    source : path
    id_field, lon_field, lat_field, name_field : str
        Columns (``name_field`` optional).
    kind, kind_field : str
        A kind for every row, or the column holding it.
    prefecture, bounds
        See :func:`read_iryojoho_facilities`.
    keep_fields : sequence of str
        Further columns to carry into the result (as text).

    Returns
    -------
    pandas.DataFrame
        ``facility_id, name, kind, lon, lat`` and ``keep_fields``.

    Examples
    --------
    >>> import tempfile, warnings
    >>> from zaitaku.official import read_facility_csv
    >>> path = tempfile.mkdtemp() + "/h.csv"
    >>> _ = open(path, "w", encoding="cp932").write(
    ...     "id,hospital_name,latitude,longtitude\\n1,函館の病院,41.79,140.77\\n2,ずれた病院,34.92,136.96\\n")
    >>> with warnings.catch_warnings(record=True):
    ...     warnings.simplefilter("always")
    ...     df = read_facility_csv(path, id_field="id", name_field="hospital_name", lon_field="longtitude",
    ...                            lat_field="latitude", kind="hospital", prefecture="北海道")
    >>> df.name.tolist(), df.attrs["report"].rejected.reason.tolist()
    (['函館の病院'], ['outside the prefecture'])
    """
    check = PointCheck(prefecture_code(prefecture), bounds)
    label, report, rows, hline, header = _open_csv(source)
    fields = [id_field, lon_field, lat_field] + [c for c in (name_field, kind_field) if c]
    col = {k: header_index(header, k, label, hline) for k in list(fields) + list(keep_fields)}
    records = []
    for line, f in rows:
        if len(f) != len(header):
            raise format_error(f"{label}: line {line}: {len(f)} fields, the header has {len(header)}")
        report.read += 1
        fid = f[col[id_field]].strip()
        name = f[col[name_field]].strip() if name_field else ""
        lon_text, lat_text = f[col[lon_field]], f[col[lat_field]]
        lon, lat = number(lon_text), number(lat_text)
        if (lat is None and lat_text.strip()) or (lon is None and lon_text.strip()):
            report.reject(label, line, fid, name, "coordinates not numeric",
                          f"{lon_field} {lon_text!r}, {lat_field} {lat_text!r}")
            continue
        records.append([label, line, fid, name, f[col[kind_field]].strip() if kind_field else kind,
                        np.nan if lon is None else lon, np.nan if lat is None else lat]
                       + [f[col[k]].strip() for k in keep_fields])
    frame = _finish(records, report, check, list(keep_fields))
    return attach(frame, report)


# ---------------------------------------------------------------- 介護サービス情報公表

_KAIGO_COLUMNS = ("事業所番号", "事業所名", "住所", "緯度", "経度")


def read_kaigo_facilities(source, prefecture=None, *, bounds=None, kind="nursing"):
    """Reads visiting-nurse stations (or any service) from 介護サービス情報公表
    システム open data.

    Two layouts are read:

    - the CSV as MHLW publishes it per service (``jigyosho_130.csv`` is 訪問
      看護, service code 130; UTF-8 with BOM, or CP932), with the published
      columns ``都道府県コード又は市町村コード``, ``No``, ``都道府県名``,
      ``市区町村名``, ``事業所名``, ``事業所名カナ``, ``サービスの種類``,
      ``住所``, ``方書（ビル名等）``, ``緯度``, ``経度``, ... ``事業所番号``, ...;
    - a JSON list of ``{"id", "n", "a", "lt", "lg"}`` records (事業所番号, name,
      address, latitude, longitude), as in the all-Japan digest
      ``clinics_geo.json``.

    The prefecture of a row is the first two digits of its 事業所番号 (介護
    保険事業所番号 starts with the prefecture code). Rows without usable
    coordinates, or outside the prefecture, are excluded and reported.

    Parameters
    ----------
    source : path
        ``.csv``, ``.zip`` holding one CSV, or ``.json``.
    prefecture : int or str, optional
        Keep this prefecture only (by 事業所番号 prefix); see
        :func:`read_iryojoho_facilities` for ``bounds``.
    kind : str
        Kind of every facility (``"nursing"``).

    Returns
    -------
    pandas.DataFrame
        ``facility_id, name, kind, lon, lat, address``.

    Examples
    --------
    >>> import json, tempfile, warnings
    >>> from zaitaku.official import read_kaigo_facilities
    >>> path = tempfile.mkdtemp() + "/stations.json"
    >>> _ = open(path, "w").write(json.dumps([
    ...     {"id": "0160000001", "n": "北の訪問看護", "a": "北海道札幌市", "lt": 43.06, "lg": 141.35},
    ...     {"id": "0160000002", "n": "東京にある点", "a": "北海道岩見沢市", "lt": 35.66, "lg": 139.71},
    ...     {"id": "1360000003", "n": "都内の事業所", "a": "東京都新宿区", "lt": 35.69, "lg": 139.70}]))
    >>> with warnings.catch_warnings(record=True):
    ...     warnings.simplefilter("always")
    ...     df = read_kaigo_facilities(path, prefecture=1)
    >>> list(df.facility_id), df.attrs["report"].rejected.id.tolist()
    (['0160000001'], ['0160000002'])
    """
    pref = prefecture_code(prefecture)
    check = PointCheck(pref, bounds)
    path = Path(source)
    if path.suffix.lower() == ".json":
        label, records, report = _kaigo_json(path, kind)
    else:
        label, records, report = _kaigo_csv(path, kind)
    if pref is not None:
        other = [r for r in records if not r[2].startswith(pref)]
        if other:
            records = [r for r in records if r[2].startswith(pref)]
            report.read -= len(other)
            report.notes.append(f"{len(other)} rows of other prefectures skipped")
    frame = _finish(records, report, check, ["address"])
    return attach(frame, report)


def _kaigo_json(path, kind):
    label = os.fspath(path)
    text, _ = decode(read_bytes(path), label)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise format_error(f"{label}: line {e.lineno}, column {e.colno}: not valid JSON ({e.msg})") from None
    if not isinstance(data, list):
        raise format_error(f"{label}: expected a JSON list of stations, got {type(data).__name__}")
    report = ReadReport(label)
    records = []
    for i, rec in enumerate(data, start=1):
        report.read += 1
        if not isinstance(rec, dict) or "id" not in rec:
            raise format_error(f"{label}: record {i}: expected an object with id, n, a, lt, lg")
        fid, name = str(rec["id"]).strip(), str(rec.get("n", "")).strip()
        lon, lat = (number(rec.get(k)) if rec.get(k) is not None else None for k in ("lg", "lt"))
        records.append([label, i, fid, name, kind, np.nan if lon is None else lon,
                        np.nan if lat is None else lat, str(rec.get("a", "")).strip()])
    return label, records, report


def _kaigo_csv(path, kind):
    label, report, rows, hline, header = _open_csv(path)
    col = {k: header_index(header, k, label, hline) for k in _KAIGO_COLUMNS}
    building = header_index(header, "方書（ビル名等）", label, hline, optional=True)
    records = []
    for line, f in rows:
        if len(f) != len(header):
            raise format_error(f"{label}: line {line}: {len(f)} fields, the header has {len(header)}")
        report.read += 1
        fid = unicodedata.normalize("NFKC", f[col["事業所番号"]]).strip()
        name = f[col["事業所名"]].strip()
        lat_text, lon_text = f[col["緯度"]], f[col["経度"]]
        lat, lon = number(lat_text), number(lon_text)
        if (lat is None and lat_text.strip()) or (lon is None and lon_text.strip()):
            report.reject(label, line, fid, name, "coordinates not numeric",
                          f"緯度 {lat_text!r}, 経度 {lon_text!r}")
            continue
        address = f[col["住所"]].strip()
        if building is not None and f[building].strip() and f[building].strip() not in address:
            address += " " + f[building].strip()
        records.append([label, line, fid, name, kind, np.nan if lon is None else lon,
                        np.nan if lat is None else lat, address])
    return label, records, report
