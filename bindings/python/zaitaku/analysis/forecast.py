"""Demand of another year (issue 13, "2040 demand"): each demand unit's
weight times the forecast factor of the region it lies in, and coverage of
two or more such scenarios side by side.

The factor of a unit comes from the region the C analysis assigned it to
(:meth:`Analysis.assignment`), by the analysis's own regions or by other
regions (municipalities) given as ``by``. Nothing is measured here: the
scaled demand goes back to libcoverage as a new Demand, and coverage is
computed there again.

What a factor can and cannot change: one factor for a whole region scales
its covered and its uncovered demand alike, so the region's share covered
stays what it was; what changes is how many people (or visits) are not
covered, and the share of the prefecture, since regions grow at different
rates. Factors that differ within a region (per municipality) move the
region's share too.
"""
import csv
import io
import math
import os
import warnings
from collections.abc import Mapping

import numpy as np

from .._ffi.core import call, cstrings
from .._libcoverage import ffi, lib
from ..errors import (CoverageWarning, FieldError, FileFormatError, InputFileError,
                      InvalidValueError)

#: Columns a factor table's region code is looked for in, in this order.
CODE_FIELDS = ("area_code", "region_id", "muni_code", "code")

NOTE_SAME = "share unchanged: one factor for the whole region scales covered and uncovered alike"
NOTE_MOVED = "share moved: factors differ within the region"
NOTE_ALL = "all regions: the share moves because regions grow at different rates"


def _err(cls, status, message):
    return cls(message, code=getattr(lib, status), status=status)


def factor_table(factors, *, code_field=None, factor_field="factor"):
    """A factor per region code, as ``{code: factor}``.

    Parameters
    ----------
    factors : mapping, pandas.Series, DataFrame or path
        ``{code: factor}``; a Series indexed by code; a DataFrame (e.g. from
        :func:`zaitaku.official.read_demand_forecast`) or a CSV file (UTF-8
        or CP932) with a code column and a factor column.
    code_field : str, optional
        The code column; default the first of ``area_code``, ``region_id``,
        ``muni_code``, ``code`` present.
    factor_field : str
        The factor column (default ``factor``).

    Codes are text, never numbers ("0101" is not 101): a DataFrame whose
    code column holds numbers is refused (read it with ``dtype=str``).
    Factors must be finite and not negative; a code given twice is an
    error naming both lines.

    Examples
    --------
    >>> from zaitaku.analysis.forecast import factor_table
    >>> import pandas as pd
    >>> factor_table(pd.DataFrame({"muni_code": ["01100", "01202"], "factor": [1.2, 0.9]}))
    {'01100': 1.2, '01202': 0.9}
    """
    import pandas as pd

    if isinstance(factors, (str, os.PathLike)):
        return _factor_csv(os.fspath(factors), code_field, factor_field)
    if isinstance(factors, pd.DataFrame):
        code = _code_column(list(factors.columns), code_field, "factor table")
        if factor_field not in factors.columns:
            raise _err(FieldError, "COV_ERR_FIELD",
                       f"factor table: no column {factor_field!r} (columns: "
                       f"{', '.join(map(str, factors.columns))})")
        if pd.api.types.is_numeric_dtype(factors[code]):
            raise _err(InvalidValueError, "COV_ERR_VALUE",
                       f"factor table: column {code!r} holds numbers; region codes are text "
                       "('0101', not 101): read the table with dtype=str")
        pairs = [(i + 2, c, v) for i, (c, v) in enumerate(zip(factors[code], factors[factor_field]))]
        return _checked(pairs, "factor table", "row", code, factor_field)
    if isinstance(factors, pd.Series):
        factors = factors.to_dict()
    if isinstance(factors, Mapping):
        return _checked([(None, c, v) for c, v in factors.items()], "factors", "key", "code",
                        "factor")
    raise TypeError(f"factors must be a mapping, Series, DataFrame or CSV path, not "
                    f"{type(factors).__name__}")


def _code_column(columns, code_field, label):
    if code_field is not None:
        if code_field not in columns:
            raise _err(FieldError, "COV_ERR_FIELD", f"{label}: no column {code_field!r} "
                       f"(columns: {', '.join(map(str, columns))})")
        return code_field
    for c in CODE_FIELDS:
        if c in columns:
            return c
    raise _err(FieldError, "COV_ERR_FIELD",
               f"{label}: no code column ({', '.join(CODE_FIELDS)}; or say which with "
               f"code_field) among: {', '.join(map(str, columns))}")


def _checked(pairs, label, where, code_field, factor_field):
    out, first = {}, {}
    for line, code, value in pairs:
        at = f"{label}: {where} {line}: " if line is not None else f"{label}: "
        if code is None or (isinstance(code, float) and math.isnan(code)) or not str(code).strip():
            raise _err(InvalidValueError, "COV_ERR_VALUE", f"{at}field {code_field}: empty code")
        code = str(code).strip()
        try:
            f = float(value)
        except (TypeError, ValueError):
            f = float("nan")
        if not (math.isfinite(f) and f >= 0):
            raise _err(InvalidValueError, "COV_ERR_VALUE",
                       f"{at}field {factor_field}: {value!r} for {code} is not a finite "
                       "factor >= 0")
        if code in out:
            again = f" (first on {where} {first[code]})" if line is not None else ""
            raise _err(InvalidValueError, "COV_ERR_VALUE",
                       f"{at}field {code_field}: {code} given twice{again}")
        out[code], first[code] = f, line
    return out


def _factor_csv(path, code_field, factor_field):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise _err(InputFileError, "COV_ERR_IO", f"{path}: cannot be read "
                   f"({e.strerror or e})") from None
    for enc in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _err(FileFormatError, "COV_ERR_FORMAT", f"{path}: neither UTF-8 nor CP932 text")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = [(reader.line_num, r) for r in reader]
    rows = [(n, r) for n, r in rows if any(c.strip() for c in r)]
    if not rows:
        raise _err(FileFormatError, "COV_ERR_FORMAT", f"{path}: empty file")
    header = [h.strip() for h in rows[0][1]]
    code = header.index(_code_column(header, code_field, path))
    if factor_field not in header:
        raise _err(FieldError, "COV_ERR_FIELD", f"{path}: line {rows[0][0]}: no column "
                   f"{factor_field!r} (columns: {', '.join(header)})")
    value = header.index(factor_field)
    pairs = [(n, r[code] if code < len(r) else "", r[value] if value < len(r) else "")
             for n, r in rows[1:]]
    return _checked(pairs, path, "line", header[code], factor_field)


def unit_factors(assignment, factors, *, default=None, assigned=None, what="region"):
    """The factor of each demand unit from the region it was assigned to.

    Parameters
    ----------
    assignment : DataFrame
        :meth:`Analysis.assignment` (demand_id, region_id; "" unassigned).
    factors : dict
        From :func:`factor_table`.
    default : float, optional
        The factor of units in a region without one; without it such a
        region is an error naming it (and how many units and which).
    assigned : array of bool, optional
        Units that count (in a region of the analysis); the others keep
        their weight (factor 1): they are outside every coverage table.
        Default: the units with a region_id.

    Returns
    -------
    numpy.ndarray
        One factor per unit, in demand order.
    """
    regions = assignment["region_id"].fillna("").astype(str).to_numpy()
    inside = regions != "" if assigned is None else np.asarray(assigned, dtype=bool)
    out = np.ones(len(regions))
    missing = {}
    for i in np.flatnonzero(inside):
        f = factors.get(regions[i])
        if f is None:
            if default is None:
                missing.setdefault(regions[i], []).append(i)
                continue
            f = default
        out[i] = f
    if missing:
        ids = assignment["demand_id"].astype(str).to_numpy()
        parts = []
        for rid, units in sorted(missing.items()):
            label = f"{what} {rid}" if rid else f"no {what} (unassigned)"
            parts.append(f"{label}: {len(units)} unit(s), e.g. {', '.join(ids[units[:3]])}")
        raise _err(InvalidValueError, "COV_ERR_VALUE",
                   f"no factor for {len(missing)} {what}(s) holding demand ("
                   + "; ".join(parts) + "); add them to the factor table or pass default=")
    return out


def scaled_demand(demand, unit_factor, *, weight=None):
    """A new :class:`~zaitaku.Demand`: the same units (mesh codes, or point
    ids and coordinates) with weight ``weight`` (every weight when None)
    multiplied by ``unit_factor`` (one per unit, demand order); the other
    weights as they are."""
    from ..inputs import Demand

    n = len(demand)
    unit_factor = np.asarray(unit_factor, dtype=np.float64)
    if unit_factor.shape != (n,):
        raise ValueError(f"unit_factor has {unit_factor.size} values for {n} demand units")
    names = demand.weight_names
    scale = set(names) if weight is None else {names[demand._weight_index(weight)]}
    cols = [demand.weights(w) * unit_factor if w in scale else demand.weights(w) for w in names]
    matrix = np.ascontiguousarray(np.column_stack(cols) if cols else np.empty((n, 0)))
    wp = ffi.cast("const double *", ffi.from_buffer(matrix))
    ptr = demand._ptr
    ids = [ffi.string(lib.cov_demand_id(ptr, i)).decode("utf-8") for i in range(n)]
    keep = []
    cids, cnames = cstrings([str(i) for i in ids], keep), cstrings(names, keep)
    ctx = demand._ctx
    label = f"{demand.source} (scaled: {', '.join(sorted(scale))})"
    if n and lib.cov_demand_mesh_level(ptr, 0) != 0:
        new = call(ctx, lib.cov_demand_from_mesh, n, cids, len(names), cnames, wp)
    else:
        lon = np.frombuffer(ffi.buffer(lib.cov_demand_lon(ptr), 8 * n), dtype=np.float64).copy()
        lat = np.frombuffer(ffi.buffer(lib.cov_demand_lat(ptr), 8 * n), dtype=np.float64).copy()
        new = call(ctx, lib.cov_demand_from_points, n, cids,
                   ffi.cast("const double *", ffi.from_buffer(lon)),
                   ffi.cast("const double *", ffi.from_buffer(lat)), ffi.NULL, len(names),
                   cnames, wp)
    return Demand(ctx, new, label)


def scale_analysis(analysis, factors, *, by=None, weight=None, default=None, code_field=None,
                   factor_field="factor"):
    """What :meth:`Analysis.scale_demand` does (see there)."""
    import pandas as pd

    from ..inputs import Regions

    table = factor_table(factors, code_field=code_field, factor_field=factor_field)
    own = analysis.assignment()
    if by is None:
        per_unit = unit_factors(own, table, default=default)
        where = own
    else:
        if not isinstance(by, Regions):
            raise TypeError(f"by needs Regions (from read_regions), not {type(by).__name__}")
        opts = {k: analysis._options[k] for k in ("coastal_snap", "crs", "land")}
        where = type(analysis)(by, analysis.facilities, analysis.demand, **opts).assignment()
        per_unit = unit_factors(where, table, default=default,
                                assigned=own["region_id"].fillna("").astype(str) != "",
                                what="unit region")
    demand = scaled_demand(analysis.demand, per_unit, weight=weight)
    with warnings.catch_warnings():
        # the same cells on the same regions and roads: the warnings the
        # analysis gave (unassigned cells, cells off the roads) again
        warnings.simplefilter("ignore", CoverageWarning)
        out = analysis._rebuilt(demand)
    used = pd.DataFrame({"region_id": where["region_id"].fillna("").astype(str),
                         "factor": per_unit})
    used = used[used.region_id != ""]
    out.demand_factors = (used.groupby("region_id", sort=True)
                          .agg(factor=("factor", "first"), n_units=("factor", "size"))
                          .reset_index())
    return out


def compare_coverage(scenarios, *, radius=None, weight=None, total=True):
    """Coverage of scenarios side by side: one row per region and kind.

    Parameters
    ----------
    scenarios : dict
        Name -> coverage table (:meth:`Analysis.coverage`) or Analysis (its
        coverage is computed, without areas), in order: the first is the
        base, the last the one compared with it, e.g.
        ``{"2025": an, "2040": an.scale_demand(factors)}``.
    radius, weight
        For the scenarios given as an Analysis.
    total : bool
        Add a row per kind summing all regions (region_id ``"all"``).

    Returns
    -------
    pandas.DataFrame
        region_id, region_name, kind; per scenario ``s``: demand_total_s,
        demand_covered_s, demand_uncovered_s, share_covered_s; then
        factor (total of the last over the first), change_demand_covered,
        change_demand_uncovered, change_share_covered (last minus first,
        as a fraction) and note. A region scaled by one factor keeps its
        share (note says so); its uncovered demand grows or shrinks by the
        factor. The "all" rows' share moves as regions grow at different
        rates; factors per municipality move shares within a region.

    Examples
    --------
    >>> import zaitaku
    >>> an = zaitaku.Analysis.sample()
    >>> later = an.scale_demand({"9901": 0.9, "9902": 1.2, "9903": 0.5})
    >>> cmp = zaitaku.compare_coverage({"2025": an, "2040": later})
    >>> row = cmp[(cmp.region_id == "9902") & (cmp.kind == "nursing")].iloc[0]
    >>> round(float(row.factor), 6), bool(abs(row.change_share_covered) < 1e-12)
    (1.2, True)
    """
    import pandas as pd

    from .compare import side_by_side

    if not isinstance(scenarios, Mapping) or len(scenarios) < 2:
        raise ValueError("compare_coverage needs a dict of at least two scenarios "
                         "(name -> coverage table or Analysis)")
    tables = {name: cov.coverage(radius, weight=weight, area=False)
              if hasattr(cov, "coverage") and not isinstance(cov, pd.DataFrame) else cov
              for name, cov in scenarios.items()}
    out = side_by_side(tables, total=total, strict=True)
    names = list(scenarios)
    a, b = names[0], names[-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["factor"] = np.where(out[f"demand_total_{a}"] > 0,
                                 out[f"demand_total_{b}"] / out[f"demand_total_{a}"], np.nan)
    for col in ("demand_covered", "demand_uncovered", "share_covered"):
        out[f"change_{col}"] = out[f"{col}_{b}"] - out[f"{col}_{a}"]
    same = (out.change_share_covered.abs() <= 1e-9) | out.change_share_covered.isna()
    out["note"] = np.where(out.region_id == "all", NOTE_ALL, np.where(same, NOTE_SAME, NOTE_MOVED))
    lead = ["region_id", "region_name", "kind"]
    return out[lead + [c for c in out.columns if c not in lead]]
