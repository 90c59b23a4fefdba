"""Listed institutions as located facility tables, in one call: the
地方厚生局 届出 list (在支診/在支病 and their types) and the 保険医療機関 code
list (every clinic), each read, located offline (医療情報ネット's published
coordinates where an institution matches one, else its town's point) and
returned ready for :func:`zaitaku.read_facilities`.

Rows located less well than ``min_level`` are not guessed at: they are
left out and listed in the report with their address.
"""
import os
import warnings

import numpy as np

from ..errors import CoverageWarning
from ._common import ReadReport, attach

#: Match levels from best to worst, as :func:`locate_facilities` gives them.
_LEVELS = ("facility", "town", "municipality", "none")


def _towns(towns, prefecture):
    if isinstance(towns, (str, os.PathLike)):
        from ._geocode import read_geolonia_towns

        return read_geolonia_towns(towns, prefecture=prefecture)
    return towns


def _located_facilities(facilities, prefecture):
    if facilities is None or not isinstance(facilities, (str, os.PathLike)):
        return facilities
    from ._facilities import read_iryojoho_facilities

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        return read_iryojoho_facilities(facilities, prefecture=prefecture)


def _locate(rows, towns, facilities, prefecture, prefecture_field, min_level, label):
    """rows located, those below min_level dropped; the report of the
    reading (``rows.attrs``) and of the locating merged into one."""
    from ._geocode import locate_facilities

    if min_level not in ("town", "municipality"):
        raise ValueError(f"min_level must be 'town' or 'municipality', not {min_level!r}")
    read = rows.attrs.get("report")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        loc = locate_facilities(rows, _towns(towns, prefecture),
                                _located_facilities(facilities, prefecture),
                                prefecture=None if prefecture_field else prefecture,
                                prefecture_field=prefecture_field)
    where = loc.attrs["report"]
    report = ReadReport(read.source if read is not None else label)
    report.read = read.read if read is not None else len(rows)
    report.notes = (list(read.notes) if read is not None else []) + list(where.notes)
    report._rows = list(read._rows) if read is not None else []
    allowed = _LEVELS[:_LEVELS.index(min_level) + 1]
    keep = loc.located_by.isin(allowed).to_numpy() & loc.lon.notna().to_numpy()
    file_col = loc["file"] if "file" in loc else None
    for i in np.flatnonzero(~keep):
        r = loc.iloc[i]
        reason = ("located only at municipality level" if r.located_by == "municipality"
                  else "address not located")
        report.reject(str(file_col.iloc[i]) if file_col is not None else label,
                      r.get("line", ""), r.get("institution_code", ""), r.get("name", ""),
                      reason, str(r.get("address", "")))
    coarse = keep & (loc.located_by == "municipality").to_numpy()
    for i in np.flatnonzero(coarse):
        r = loc.iloc[i]
        report.notes.append(f"{r.get('name', '')} ({r.get('institution_code', '')}): kept at its "
                            f"municipality's point ({r.get('address', '')})")
    out = loc[keep].reset_index(drop=True).rename(columns={"facility_id": "matched_facility_id"})
    out.insert(0, "facility_id", out.pop("institution_code"))
    return out, report


def read_home_care_doctors(source, towns, facilities=None, *, prefecture=None, min_level="town",
                           keep="kinds"):
    """The 在支診/在支病 (and 後方支援病院) of 地方厚生局 届出 lists, located
    offline: :func:`read_kouseikyoku_todokede`, then
    :func:`locate_facilities`.

    Parameters
    ----------
    source : path, folder or list of paths
        The 届出受理医療機関名簿 as published (xlsx or CSV), any of the seven
        厚生局 layouts.
    towns : path or pandas.DataFrame
        The Geolonia town points (the folder, or
        :func:`read_geolonia_towns`' table).
    facilities : path or pandas.DataFrame, optional
        Located facilities whose published coordinates win where an
        institution matches one: the 医療情報ネット file (its path, or
        :func:`read_iryojoho_facilities`' table).
    prefecture : str or int, optional
        The lists' prefecture (their addresses omit it).
    min_level : {"town", "municipality"}
        The coarsest location kept: an institution matched to a facility or
        located at its 大字・町丁目 (default), or also at its municipality's
        point. The others are left out and listed in the report.
    keep : {"kinds", "all"}
        As for :func:`read_kouseikyoku_todokede`.

    Returns
    -------
    pandas.DataFrame
        ``facility_id`` (the 10-digit institution code), the columns of
        :func:`read_kouseikyoku_todokede` (``name, kind, institution,
        shien, beds`` ...) and of :func:`locate_facilities` (``lon, lat,
        located_by, match_level, confidence`` ..., its ``facility_id``
        renamed ``matched_facility_id``); ready for
        ``zaitaku.read_facilities(t, kind_field="kind", name_field="name")``.
        The report in ``.attrs["report"]`` counts the rows read, kept and
        left out (with their addresses), and how each was located.
    """
    from ._kouseikyoku import read_kouseikyoku_todokede

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        rows = read_kouseikyoku_todokede(source, prefecture, keep=keep)
    out, report = _locate(rows, towns, facilities, prefecture, None, min_level, str(source))
    return attach(out, report, stacklevel=3)


def read_clinics(source, towns, facilities=None, *, prefecture=None, min_level="town",
                 exclude=None):
    """Every clinic (and hospital) of the 保険医療機関 code list, located
    offline: :func:`read_med_inst_codes`, then :func:`locate_facilities`;
    kinds ``clinic`` and ``hospital`` (from the name: the list gives no
    beds).

    Parameters
    ----------
    source : path
        The code list (``.csv`` or the ``.zip`` as downloaded).
    towns, facilities, min_level
        As for :func:`read_home_care_doctors`.
    prefecture : str, int or list, optional
        Keep these prefectures (the list covers all Japan; each row is
        located in its own prefecture).
    exclude : iterable of str, optional
        Institution codes to leave out (e.g. those already read from a
        厚生局 list with their home-care kind); the report counts them.

    Returns
    -------
    pandas.DataFrame
        As :func:`read_home_care_doctors` gives, with the code list's
        columns.
    """
    from ._clinics import read_med_inst_codes

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        rows = read_med_inst_codes(source, prefecture)
    if exclude is not None:
        drop = rows.institution_code.isin(set(map(str, exclude)))
        report = rows.attrs["report"]
        rows = rows[~drop].reset_index(drop=True)
        rows.attrs["report"] = report
        report.notes.append(f"{int(drop.sum())} institutions left out as asked (exclude)")
    one_pref = prefecture if not isinstance(prefecture, (list, tuple, set)) else None
    out, report = _locate(rows, towns, facilities, one_pref,
                          None if one_pref is not None else "pref_code", min_level, str(source))
    return attach(out, report, stacklevel=3)
