"""Two results side by side (issue 18, "No view of change"): this year and
last, 2025 and 2040, summer and winter, plan A and plan B.

:func:`compare` takes two analyses, or two folders written by
:meth:`Analysis.save` / ``zaitaku coverage`` (or a report's ``tables/``),
and gives a :class:`Comparison`: coverage per region and kind of both runs
with the differences (b minus a), the demand units gained and lost per
kind, and a map of them.

Nothing is measured here: both runs' tables are libcoverage's, and the
differences are subtractions of their numbers. A unit counts as covered
when its reach row has ``n_within > 0`` (libcoverage's own rule); for
``doctor_and_nursing``, which the reach table has no row for, when both a
doctor (``doctor_any``) and a nursing kind reach it, as coverage counts it.

Runs that do not compare alike are said, never compared silently: regions,
kinds or units in one run only give rows with NaN on the other side and a
note; other weights, another reach or another travel model are listed in
:attr:`Comparison.notes` (a :class:`~zaitaku.CoverageWarning` for other
weights, and for regions, kinds or units missing on one side).
"""
import math
import warnings
from pathlib import Path

import numpy as np

from .._libcoverage import lib
from ..errors import CoverageWarning, FieldError, InputFileError
from ..kinds import DOCTOR_AND_NURSING, DOCTOR_ANY, kind_name
from ..units import metres

KEYS = ["region_id", "kind"]
#: Columns a coverage table must have to be compared.
NEEDED = ("region_id", "region_name", "kind", "demand_total", "demand_covered")
#: The change of a unit (compare_cells.csv's ``change``).
CHANGES = ("gained", "lost", "covered_both", "uncovered_both", "only_in_a", "only_in_b")
#: Colours of the difference map: Okabe & Ito's bluish green and vermillion
#: (told apart with any colour vision), and the existing maps' reached/gap.
GAINED, LOST = "#009E73", "#D55E00"
_DEFAULT_NURSING = ("nursing",)


def _err(cls, status, message):
    return cls(message, code=getattr(lib, status), status=status)


# ---------------------------------------------------------------- side by side

def side_by_side(tables, *, total=True, strict=True, values=("demand_total", "demand_covered")):
    """Coverage tables side by side, one row per region and kind: per name
    ``s`` the columns of ``values`` suffixed ``_s``, and demand_uncovered_s
    and share_covered_s made from them (the one implementation behind
    :func:`compare` and :func:`zaitaku.compare_coverage`).

    Parameters
    ----------
    tables : dict
        Name -> coverage table (:meth:`Analysis.coverage`), in order.
    total : bool
        Add a row per kind summing the table's regions (region_id "all",
        region_name "all regions"), per table before they are joined.
    strict : bool
        Regions or kinds that are not in every table are an error
        (ValueError); otherwise their rows hold NaN on the missing side.
    values : tuple of str
        Columns summed into the "all" rows; demand_total and
        demand_covered must be among them. A column absent from a table is
        NaN there.

    Returns
    -------
    pandas.DataFrame
        region_id, region_name, kind, then the columns of each name.
    """
    import pandas as pd

    out = None
    for name, cov in tables.items():
        missing = [c for c in NEEDED if c not in cov.columns]
        if missing:
            raise _err(FieldError, "COV_ERR_FIELD", f"scenario {name!r}: no column "
                       f"{missing[0]!r}: give Analysis.coverage() tables")
        part = cov[KEYS + ["region_name"]].copy()
        for col in values:
            part[col] = cov[col].astype(float) if col in cov.columns else np.nan
        if total:
            sums = part.groupby("kind", sort=False)[list(values)].sum(min_count=1)
            sums = sums.reset_index().assign(region_id="all", region_name="all regions")
            part = pd.concat([part, sums[part.columns]], ignore_index=True)
        part["demand_uncovered"] = part.demand_total - part.demand_covered
        with np.errstate(invalid="ignore", divide="ignore"):
            part["share_covered"] = np.where(part.demand_total > 0,
                                             part.demand_covered / part.demand_total, np.nan)
        order = ["demand_total", "demand_covered", "demand_uncovered", "share_covered"]
        order += [c for c in values if c not in order]
        part = part[KEYS + ["region_name"] + order].rename(
            columns={c: f"{c}_{name}" for c in order})
        if out is None:
            out = part
            continue
        both = out[KEYS].merge(part[KEYS], how="outer", indicator=True)
        odd = both[both["_merge"] != "both"]
        if strict and len(odd):
            r = odd.iloc[0]
            raise ValueError(f"scenario {name!r} has other regions or kinds than the first "
                             f"(e.g. region {r.region_id}, kind {r.kind})")
        names = part.pop("region_name")
        out = out.merge(part, on=KEYS, how="outer" if len(odd) else "left")
        # a region only in this table takes its name from it
        named = dict(zip(zip(part.region_id, part.kind), names))
        gap = out.region_name.isna()
        out.loc[gap, "region_name"] = [named.get(k) for k in zip(out.region_id[gap],
                                                                  out.kind[gap])]
    lead = ["region_id", "region_name", "kind"]
    return out[lead + [c for c in out.columns if c not in lead]]


# ---------------------------------------------------------------- one run

class _Run:
    """One side of a comparison: its coverage table, its reach table (or
    None), each unit's weight (or None), and what it measured."""

    def __init__(self, name, source, coverage, reach=None, weights=None, reach_text=None,
                 weight_name=None, nursing_kinds=_DEFAULT_NURSING, analysis=None, folder=None,
                 reach_range=None):
        self.name, self.source = name, source
        self.coverage, self.reach, self.weights = coverage, reach, weights
        self.reach_text, self.weight_name = reach_text, weight_name
        # straight-line threshold in metres: (r, r) when known, [low, high)
        # when read off a written reach table; None along roads
        self.reach_range = reach_range
        self.default_name = None
        self.nursing_kinds, self.analysis, self.folder = tuple(nursing_kinds), analysis, folder

    @property
    def scenario(self):
        """The run's own scenario label, or None."""
        if self.analysis is not None:
            label = getattr(self.analysis, "scenario", None)
            return str(label) if label else None
        return _label(self.coverage, "scenario")

    def describe(self):
        """One row of compare_runs.csv."""
        reach = self.reach
        return {"scenario": self.name, "source": self.source,
                "reach": self.reach_text or "unknown",
                "weight": self.weight_name or "unknown",
                "n_regions": int(self.coverage.region_id.nunique()),
                "kinds": ";".join(self.coverage.kind.unique()),
                "n_units": int(reach.demand_id.nunique()) if reach is not None else None}


def _from_analysis(an, radius, weight, area):
    import pandas as pd

    reach = an.reach(radius=radius)
    weight_name = an.demand.weight_name(weight)
    ids = an.assignment()["demand_id"].astype(str).to_numpy()
    values = an.demand.weights(weight_name) if weight_name else np.ones(len(ids))
    weights = pd.Series(values, index=ids, dtype=float)
    nursing = an._options.get("nursing_kinds") or _DEFAULT_NURSING
    metric, value = an.measure(radius)
    return _Run(None, repr(an), an.coverage(radius, weight=weight, area=area), reach, weights,
                an.threshold_text(radius), weight_name, nursing, analysis=an,
                reach_range=(value, value) if metric == "straight" else None)


def _text_cell(values):
    """The report writes text Excel would run as a formula with an
    apostrophe first (report.tables.as_text): read it back as it was."""
    starts = ("'=", "'+", "'-", "'@", "'\t", "'\r")
    return values.map(lambda v: v[1:] if isinstance(v, str) and v.startswith(starts) else v)


def read_coverage_csv(path):
    """A coverage.csv (Analysis.save, ``zaitaku coverage``, with English or
    Japanese headers, or a report's tables/coverage.csv) as a DataFrame by
    column ids, with text ids; a missing column is an error naming the
    file."""
    import pandas as pd

    from ..outputs import read_csv

    try:
        cov = read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise _err(InputFileError, "COV_ERR_IO", f"{path}: cannot be read as a coverage "
                   f"table ({e})") from None
    missing = [c for c in NEEDED if c not in cov.columns]
    if missing:
        raise _err(FieldError, "COV_ERR_FIELD", f"{path}: no column {missing[0]!r} (columns: "
                   f"{', '.join(cov.columns)}): not a coverage table")
    for col in ("region_id", "region_name", "kind"):
        cov[col] = _text_cell(cov[col])
    for col in cov.columns:
        if col in _TEXT_COLUMNS:
            continue
        converted = pd.to_numeric(cov[col].replace("", np.nan), errors="coerce")
        bad = converted.isna() & (cov[col] != "")
        if col in ("demand_total", "demand_covered") and bad.any():
            line = int(np.flatnonzero(bad)[0]) + 2
            raise _err(FieldError, "COV_ERR_FIELD", f"{path}: line {line}: field {col}: "
                       f"{cov[col].iloc[line - 2]!r} is not a number")
        if not bad.any():
            cov[col] = converted
    return cov


#: Text columns of a coverage table (the others are numbers).
_TEXT_COLUMNS = ("region_id", "region_name", "kind", "kind_name", "scenario", "weight",
                 "threshold")


def read_reach_csv(path):
    """A reach.csv (Analysis.save, English or Japanese headers) by column
    ids with text ids, or an error naming it."""
    import pandas as pd

    from ..outputs import read_csv

    try:
        reach = read_csv(path, dtype={"demand_id": str, "region_id": str, "kind": str,
                                      "nearest_id": str},
                         keep_default_na=False, na_values={"distance_m": ["", "nan", "NaN"]})
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError,
            ValueError) as e:
        raise _err(InputFileError, "COV_ERR_IO", f"{path}: cannot be read as a reach "
                   f"table ({e})") from None
    for col in ("demand_id", "region_id", "kind", "n_within"):
        if col not in reach.columns:
            raise _err(FieldError, "COV_ERR_FIELD", f"{path}: no column {col!r} (columns: "
                       f"{', '.join(reach.columns)}): not a reach table")
    return reach


def _label(cov, column):
    """The one value of a label column (weight, threshold, scenario), or
    None (absent, empty, or several)."""
    if column not in cov.columns:
        return None
    values = [v for v in cov[column].astype(str).unique() if v]
    return values[0] if len(values) == 1 else None


def _from_folder(path):
    """The run written into path (a folder, or its coverage.csv)."""
    path = Path(path)
    if path.is_file():
        coverage = path
    elif path.is_dir():
        found = [p for p in (path / "coverage.csv", path / "tables" / "coverage.csv")
                 if p.is_file()]
        if not found:
            raise _err(InputFileError, "COV_ERR_IO",
                       f"{path / 'coverage.csv'}: does not exist (nor tables/coverage.csv): "
                       "give a folder written by Analysis.save, zaitaku coverage or "
                       "zaitaku report")
        coverage = found[0]
    else:
        raise _err(InputFileError, "COV_ERR_IO", f"{path}: does not exist")
    folder = coverage.parent
    reach_path = folder / "reach.csv"
    reach = read_reach_csv(reach_path) if reach_path.is_file() else None
    weights = None
    if reach is not None and "weight" in reach.columns:  # a reach table that carries it
        weights = reach.drop_duplicates("demand_id").set_index("demand_id")["weight"]
    cov = read_coverage_csv(coverage)
    text, span = _reach_from_table(reach)
    written = _label(cov, "threshold")  # what the run says it measured
    if written is not None:
        text, span = written, None
        if "road" not in written:
            try:
                value = metres(written.replace(" ", ""), "threshold")
                span = (value, value)
            except ValueError:
                pass
    run = _Run(None, str(coverage), cov, reach, weights, text, _label(cov, "weight"),
               folder=folder, reach_range=span)
    # a report folder is named by its report, not by "tables"
    run.default_name = (folder.parent if folder.name == "tables" else folder).name
    return run


def _reach_from_table(reach):
    """(text, [low, high) in metres) of the threshold a written reach table
    shows: along the straight line a unit is covered exactly when its
    nearest facility is within the threshold, so it lies between the
    farthest covered nearest distance and the nearest uncovered one.
    (None, None) without a table; along roads the text only."""
    if reach is None:
        return None, None
    if "time_s" in reach.columns:
        return "along roads (threshold not recorded)", None
    rows = reach[(reach.kind != DOCTOR_ANY) & (reach.region_id.astype(str) != "")]
    near = rows.distance_m.to_numpy(dtype=float)
    inside = rows.n_within.to_numpy() > 0
    outside = ~inside & np.isfinite(near)
    low = float(np.nanmax(near[inside])) if inside.any() else 0.0
    high = float(np.nanmin(near[outside])) if outside.any() else math.inf
    upper = "" if math.isinf(high) else f" to {high / 1000:.3f} km"
    return (f"straight line, {low / 1000:.3f}{upper or ' km or more'} (read off reach.csv)",
            (low, high))


def _same_reach(x, y):
    """Whether two straight-line thresholds ((r, r) known, [low, high)
    read off a table) can be the same."""
    (l1, h1), (l2, h2) = x, y
    if l1 == h1 and l2 == h2:
        return abs(l1 - l2) <= 1e-9 * max(l1, l2, 1.0)
    if l1 == h1 or l2 == h2:
        (v, _), (lo, hi) = (x, y) if l1 == h1 else (y, x)
        return lo <= v * (1 + 1e-12) and v < hi
    return max(l1, l2) < min(h1, h2)


def _run_of(value, radius, weight, area):
    if isinstance(value, _Run):
        return value
    if hasattr(value, "coverage") and hasattr(value, "reach") and hasattr(value, "demand"):
        return _from_analysis(value, radius, weight, area)
    if isinstance(value, (str, Path)) or hasattr(value, "__fspath__"):
        return _from_folder(value)
    raise TypeError(f"compare needs an Analysis or a folder written by Analysis.save, not "
                    f"{type(value).__name__}")


def _names(runs, names):
    """names given; else the runs' scenario labels; else folder names;
    else "a" and "b" (and those whenever the two would be the same)."""
    if names is not None:
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",")]
        names = [str(n) for n in names]
        if len(names) != 2 or not all(names) or names[0] == names[1]:
            raise ValueError(f"names: give two different names, e.g. ('2025', '2040'), not "
                             f"{names!r}")
        return names
    found = [r.scenario or r.default_name or fallback for r, fallback in zip(runs, "ab")]
    return found if found[0] != found[1] else ["a", "b"]


# ---------------------------------------------------------------- cells

def _covered(run):
    """Per assigned unit and kind: covered (n_within > 0), distance_m, lon,
    lat, region_id; doctor_and_nursing added from doctor_any and the
    nursing kinds, as coverage counts it."""
    import pandas as pd

    reach = run.reach
    reach = reach[reach.region_id.astype(str) != ""]
    cols = ["demand_id", "region_id", "kind", "distance_m"] + \
        [c for c in ("lon", "lat") if c in reach.columns]
    out = reach[cols].copy()
    out["covered"] = reach.n_within.to_numpy() > 0
    kinds = set(out.kind)
    nursing = [k for k in run.nursing_kinds if k in kinds]
    if DOCTOR_ANY in kinds and nursing and DOCTOR_AND_NURSING in set(run.coverage.kind):
        doc = out[out.kind == DOCTOR_ANY].set_index("demand_id")
        nur = out[out.kind.isin(nursing)].groupby("demand_id")["covered"].any()
        both = doc.drop(columns="kind").assign(kind=DOCTOR_AND_NURSING, distance_m=np.nan)
        both["covered"] = doc["covered"] & nur.reindex(doc.index, fill_value=False)
        out = pd.concat([out, both.reset_index()[out.columns]], ignore_index=True)
    return out


def cell_changes(run_a, run_b, names):
    """Per demand unit and kind, covered in a and in b and the change
    (:data:`CHANGES`; only_in_a / only_in_b: the unit or kind is in one
    run only), with the unit's weight in each run when known."""
    import pandas as pd

    a, b = names
    ca, cb = _covered(run_a), _covered(run_b)
    both = ca.merge(cb, on=["demand_id", "kind"], how="outer", suffixes=("_a", "_b"),
                    indicator=True)
    out = pd.DataFrame({"demand_id": both.demand_id, "kind": both.kind})
    out["region_id"] = both.region_id_b.fillna(both.region_id_a)
    for axis in ("lon", "lat"):
        ax_, bx_ = f"{axis}_a", f"{axis}_b"
        if ax_ in both or bx_ in both:
            out[axis] = (both[bx_] if bx_ in both else np.nan)
            if ax_ in both:
                out[axis] = out[axis].fillna(both[ax_])
    out[f"covered_{a}"] = both.covered_a.astype("boolean")
    out[f"covered_{b}"] = both.covered_b.astype("boolean")
    out[f"distance_m_{a}"], out[f"distance_m_{b}"] = both.distance_m_a, both.distance_m_b
    for run, name in ((run_a, a), (run_b, b)):
        w = run.weights
        out[f"weight_{name}"] = out.demand_id.map(w).astype(float) if w is not None else np.nan
    ia, ib = both.covered_a.fillna(False).astype(bool), both.covered_b.fillna(False).astype(bool)
    change = np.select([both["_merge"] == "left_only", both["_merge"] == "right_only",
                        ~ia & ib, ia & ~ib, ia & ib],
                       ["only_in_a", "only_in_b", "gained", "lost", "covered_both"],
                       "uncovered_both")
    out["change"] = change
    order = {k: i for i, k in enumerate(dict.fromkeys(list(run_b.coverage.kind)
                                                      + list(run_a.coverage.kind)))}
    out = out.assign(_k=out.kind.map(order).fillna(len(order)))
    return out.sort_values(["_k", "demand_id"], kind="stable").drop(columns="_k") \
        .reset_index(drop=True)


# ---------------------------------------------------------------- the comparison

def compare(a, b, *, names=None, radius=None, weight=None, area=True):
    """Two results side by side: coverage per region and kind of both, the
    differences (b minus a), and the demand units gained and lost.

    Parameters
    ----------
    a, b : Analysis, or path
        Each an Analysis, or a folder written by :meth:`Analysis.save` or
        ``zaitaku coverage`` (coverage.csv and reach.csv), or by ``zaitaku
        report`` (its tables/coverage.csv: the table only, no units).
    names : (str, str) or "A,B", optional
        The runs' names, column suffixes of the tables. Default: each run's
        scenario label (``an.scenario``, the ``scenario`` column of
        coverage.csv), else the folders' names, else "a" and "b".
    radius, weight
        For the runs given as an Analysis (default: its radius and first
        weight).
    area : bool
        For an Analysis: compute the land within reach too
        (area_covered_km2).

    Returns
    -------
    Comparison

    Examples
    --------
    >>> import zaitaku
    >>> an = zaitaku.Analysis.sample()
    >>> cmp = zaitaku.compare(an, an.straight(), names=("16km", "10km"), radius="10km",
    ...                       area=False)  # both at 10 km: nothing moves
    >>> int(cmp.cells.change.isin(["gained", "lost"]).sum())
    0
    >>> cmp = zaitaku.compare(an, zaitaku.Analysis.sample(radius="10km"),
    ...                       names=("16km", "10km"), area=False)
    >>> row = cmp.table.set_index(["region_id", "kind"]).loc[("all", "nursing")]
    >>> bool(row.change_demand_covered < 0), cmp.notes[0]
    (True, 'reach differs: 16 km (16km), 10 km (10km)')
    """
    ra, rb = _run_of(a, radius, weight, area), _run_of(b, radius, weight, area)
    ra.name, rb.name = _names((ra, rb), names)
    return Comparison(ra, rb)


class Comparison:
    """Two runs compared (:func:`compare`).

    Attributes
    ----------
    names : list of str
        The two runs' names (a first).
    table : pandas.DataFrame
        Per region and kind (and an "all" row per kind): for each run
        ``s`` demand_total_s, demand_covered_s, demand_uncovered_s,
        share_covered_s and, when either run has areas, area_covered_km2_s;
        then change_demand_total, change_demand_covered,
        change_demand_uncovered, change_share_covered (a fraction) and
        change_area_covered_km2, b minus a; and note (a region or kind in
        one run only, demand totals that differ, "all" rows over other
        regions).
    cells : pandas.DataFrame or None
        Per demand unit and kind: demand_id, kind, region_id, lon, lat,
        covered_s, distance_m_s and weight_s per run (weight NaN when the
        run does not record it: reach.csv has no weights) and change
        (:data:`CHANGES`). None when a run has no reach table.
    notes : list of str
        What differs between the runs beyond the results: reach, weights,
        travel model, regions, kinds or units in one run only.
    """

    def __init__(self, run_a, run_b):
        self.runs = (run_a, run_b)
        self.names = [run_a.name, run_b.name]
        self.notes = []
        self.table = self._table()
        self.cells = None
        if run_a.reach is not None and run_b.reach is not None:
            self.cells = cell_changes(run_a, run_b, self.names)
        else:
            missing = [r.name for r in self.runs if r.reach is None]
            self.notes.append(f"no reach table for {', '.join(missing)}: no units compared, "
                              "no map")
        self._check_runs()

    # ---- the table
    def _table(self):
        ra, rb = self.runs
        a, b = self.names
        values = ["demand_total", "demand_covered"]
        if any("area_covered_km2" in r.coverage.columns
               and r.coverage["area_covered_km2"].notna().any() for r in self.runs):
            values.append("area_covered_km2")
        out = side_by_side({a: ra.coverage, b: rb.coverage}, strict=False, values=values)
        for col in values[:2] + ["demand_uncovered", "share_covered"] + values[2:]:
            out[f"change_{col}"] = out[f"{col}_{b}"] - out[f"{col}_{a}"]
        out["note"] = self._row_notes(out)
        return out

    def _row_notes(self, out):
        a, b = self.names
        ka, kb = (set(zip(r.coverage.region_id, r.coverage.kind)) for r in self.runs)
        ga, gb = (set(r.coverage.region_id) for r in self.runs)
        other_regions = ga != gb
        notes = []
        for rid, kind, ta, tb in zip(out.region_id, out.kind, out[f"demand_total_{a}"],
                                     out[f"demand_total_{b}"]):
            parts = []
            if rid == "all":
                parts.append("all regions of each run")
                if other_regions:
                    parts.append("the runs have other regions: sums over other regions")
                if (kind in {k for _, k in ka}) != (kind in {k for _, k in kb}):
                    parts.append(f"kind only in {a if kind in {k for _, k in ka} else b}")
            elif (rid, kind) not in kb:
                parts.append(f"only in {a}")
            elif (rid, kind) not in ka:
                parts.append(f"only in {b}")
            if not (isinstance(ta, float) and math.isnan(ta)) and \
                    not (isinstance(tb, float) and math.isnan(tb)) and \
                    abs(tb - ta) > 1e-9 * max(abs(ta), abs(tb), 1.0):
                parts.append("demand total differs")
            notes.append("; ".join(parts))
        return notes

    def _check_runs(self):
        ra, rb = self.runs
        a, b = self.names
        if ra.reach_range and rb.reach_range:
            if not _same_reach(ra.reach_range, rb.reach_range):
                self.notes.append(f"reach differs: {ra.reach_text} ({a}), {rb.reach_text} ({b})")
        elif ra.reach_text and rb.reach_text:
            if ra.reach_text != rb.reach_text or "not recorded" in ra.reach_text:
                self.notes.append(f"reach: {ra.reach_text} ({a}), {rb.reach_text} ({b}): "
                                  "check that the runs measured alike")
        elif not (ra.reach_text and rb.reach_text):
            self.notes.append("reach of "
                              + ", ".join(r.name for r in self.runs if not r.reach_text)
                              + " not recorded: check that the runs measured alike")
        loud = []
        if ra.weight_name and rb.weight_name and ra.weight_name != rb.weight_name:
            loud.append(f"weights differ: {ra.weight_name} ({a}), {rb.weight_name} ({b}): "
                        "the tables count other people")
        for what, sets in (("regions", [set(r.coverage.region_id) for r in self.runs]),
                           ("kinds", [set(r.coverage.kind) for r in self.runs])):
            for mine, other, name in ((sets[0], sets[1], a), (sets[1], sets[0], b)):
                only = sorted(mine - other)
                if only:
                    loud.append(f"{what} only in {name}: {', '.join(only[:8])}"
                                + (f" and {len(only) - 8} more" if len(only) > 8 else "")
                                + " (NaN on the other side)")
        if self.cells is not None:
            ua, ub = (set(r.reach.demand_id[r.reach.region_id.astype(str) != ""])
                      for r in self.runs)
            for mine, other, name in ((ua, ub, a), (ub, ua, b)):
                if mine - other:
                    loud.append(f"{len(mine - other)} demand unit(s) only in {name}, e.g. "
                                f"{', '.join(sorted(mine - other)[:3])}")
            same_units = ua == ub
        else:
            same_units = False
        rows = self.table[self.table.region_id != "all"]
        totals = rows.change_demand_total.abs() > 1e-9 * rows[f"demand_total_{a}"].abs()
        if same_units and totals.any():
            self.notes.append("demand totals differ on the same demand units: other weights, "
                              "or demand scaled (another year)")
        for text in loud:
            warnings.warn(f"compare {a} with {b}: {text}", CoverageWarning, stacklevel=4)
        self.notes += loud

    # ---- views
    def summary(self, kinds=None):
        """Per kind, all regions: share covered in a and b, the demand
        covered in each and its change, and the units (and their demand,
        when the runs' weights are known) gained and lost. Gained demand is
        counted with b's weights, lost with a's."""
        import pandas as pd

        a, b = self.names
        rows = self.table[self.table.region_id == "all"].set_index("kind")
        kinds = list(rows.index) if kinds is None else [k for k in kinds if k in rows.index]
        out = []
        for kind in kinds:
            r = rows.loc[kind]
            item = {"kind": kind, f"share_covered_{a}": r[f"share_covered_{a}"],
                    f"share_covered_{b}": r[f"share_covered_{b}"],
                    "change_share_covered": r.change_share_covered,
                    f"demand_covered_{a}": r[f"demand_covered_{a}"],
                    f"demand_covered_{b}": r[f"demand_covered_{b}"],
                    "change_demand_covered": r.change_demand_covered}
            if self.cells is not None:
                c = self.cells[self.cells.kind == kind]
                gained, lost = c[c.change == "gained"], c[c.change == "lost"]
                item.update(n_gained=len(gained), n_lost=len(lost),
                            demand_gained=gained[f"weight_{b}"].sum(min_count=1),
                            demand_lost=lost[f"weight_{a}"].sum(min_count=1))
            out.append(item)
        return pd.DataFrame(out)

    def runs_table(self):
        """One row per run: name, source, reach, weight, regions, kinds,
        units; and the notes (compare_runs.csv)."""
        import pandas as pd

        out = pd.DataFrame([r.describe() for r in self.runs])
        out["notes"] = "; ".join(self.notes)
        return out

    def map_kinds(self):
        """The kinds a difference map can be drawn for (in both runs' units)."""
        if self.cells is None:
            return []
        inside = self.cells[~self.cells.change.isin(["only_in_a", "only_in_b"])]
        return list(dict.fromkeys(inside.kind))

    def plot(self, kind=DOCTOR_AND_NURSING, title=None, credit=None):
        """The difference map of ``kind``: demand units newly within reach
        in b (green), no longer within reach (red), within reach in both
        (pale blue) and in neither (pale orange), on the regions, with
        legend (counts and demand), scale bar and north arrow. A matplotlib
        Figure, not known to pyplot (see :func:`zaitaku.analysis.compare.difference_map`)."""
        return difference_map(self, kind, title=title, credit=credit)

    def save(self, folder, kinds=None, maps=True, dpi=200, credit=None, headers="en"):
        """Writes compare.csv (the table, with what each run counts:
        weight_column_<name> and threshold_<name>), compare_cells.csv (the
        units),
        compare_runs.csv (the runs and the notes) and compare_<kind>.png
        per kind of ``kinds`` (default doctor_and_nursing, when both runs
        have its units) into folder, as one set (see
        :class:`zaitaku.outputs.OutputSet`); ``headers="ja"``: Japanese
        headings (:func:`zaitaku.outputs.write_csv`). Returns the paths
        written."""
        from ..outputs import OutputSet, check_headers, write_csv

        if kinds is None:
            kinds = [DOCTOR_AND_NURSING] if DOCTOR_AND_NURSING in self.map_kinds() else []
        kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        figures = [(k, self.plot(k, credit=credit)) for k in kinds] if maps else []
        ctx = next((r.analysis._ctx for r in self.runs if r.analysis is not None), None)
        check_headers(headers)
        table = self.table.copy()
        for run in self.runs:  # a table read alone says what each side counts
            said = run.describe()
            table[f"weight_column_{run.name}"] = said["weight"]
            table[f"threshold_{run.name}"] = said["reach"]
        with OutputSet(ctx, folder) as out:
            write_csv(table, out.path("compare.csv"), headers)
            if self.cells is not None:
                write_csv(self.cells, out.path("compare_cells.csv"), headers)
            write_csv(self.runs_table(), out.path("compare_runs.csv"), headers)
            if figures:
                from ..maps.mapstyle import save_figure

                for kind, fig in figures:
                    save_figure(fig, out.path(f"compare_{kind}.png"), dpi=dpi)
            return out.commit()

    def __repr__(self):
        a, b = self.names
        n = 0 if self.cells is None else int(self.cells.change.isin(["gained", "lost"]).sum())
        return (f"<Comparison {a} -> {b}: {len(self.table)} rows, {n} unit-kind changes"
                + (f"; {len(self.notes)} note(s)" if self.notes else "") + ">")

    def _repr_html_(self):
        a, b = self.names
        s = self.summary()
        shown = s[["kind", f"share_covered_{a}", f"share_covered_{b}",
                   "change_demand_covered"]].copy()
        for col in shown.columns[1:3]:
            shown[col] = (shown[col] * 100).round(1)
        notes = "".join(f"<li>{n}</li>" for n in self.notes)
        return (f"<div><b>Comparison</b> {a} → {b} (share covered, %)</div>"
                + shown.to_html(index=False) + (f"<ul>{notes}</ul>" if notes else ""))


# ---------------------------------------------------------------- the map

def _unit_geometry(cells, run):
    """Each unit's shape: the demand's own cells (an Analysis), mesh cells
    decoded from their codes, or else the points (lon, lat)."""
    import geopandas as gpd
    import shapely

    ids = cells.demand_id.astype(str).to_numpy()
    if run.analysis is not None:
        units = run.analysis.demand.to_geodataframe()
        shapes = dict(zip(units.demand_id.astype(str), units.geometry))
        geoms = [shapes.get(i) for i in ids]
        if all(g is not None for g in geoms):
            return gpd.GeoSeries(geoms, crs="EPSG:6668")
    from ..mesh import decode_mesh, is_mesh_code

    if len(ids) and all(is_mesh_code(i) for i in dict.fromkeys(ids)):
        boxes = {i: shapely.box(*decode_mesh(i)) for i in dict.fromkeys(ids)}
        return gpd.GeoSeries([boxes[i] for i in ids], crs="EPSG:6668")
    return gpd.GeoSeries(shapely.points(cells.lon.to_numpy(float), cells.lat.to_numpy(float)),
                         crs="EPSG:6668")


def _regions(run, kind):
    """The run's regions (region_id, region_name, geometry, EPSG:6668):
    the analysis's own, or the union per region of the written service
    areas and gaps of kind (together they are the region), or None."""
    import geopandas as gpd
    import pandas as pd

    if run.analysis is not None:
        return run.analysis.regions.to_geodataframe()[["region_id", "region_name", "geometry"]]
    layers = [run.folder / n for n in ("service_areas.shp", "gaps.shp")
              if run.folder is not None and (run.folder / n).is_file()]
    if not layers:
        return None
    parts = []
    for path in layers:
        frame = gpd.read_file(path)
        frame = frame[frame["kind"] == kind] if "kind" in frame.columns else frame
        parts.append(frame[["region_id", "geometry"]].to_crs("EPSG:6668"))
    land = pd.concat(parts, ignore_index=True)
    land = gpd.GeoDataFrame(land, crs="EPSG:6668").dissolve("region_id").reset_index()
    names = dict(zip(run.coverage.region_id, run.coverage.region_name))
    land["region_name"] = land.region_id.astype(str).map(names).fillna("")
    return land[["region_id", "region_name", "geometry"]]


def _local_crs(lon, lat):
    """A transverse Mercator on GRS80 centred on the units (metres)."""
    return (f"+proj=tmerc +lat_0={float(np.nanmean(lat)):.4f} +lon_0={float(np.nanmean(lon)):.4f} "
            "+k=1 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs")


def _amount(value):
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def difference_map(comparison, kind=DOCTOR_AND_NURSING, title=None, credit=None):
    """The map of :meth:`Comparison.plot`; legend entries have gids
    ``zaitaku-compare-gained`` / ``-lost`` / ``-both`` / ``-neither``."""
    import geopandas as gpd
    from matplotlib import rc_context
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from ..maps import mapstyle
    from ..maps.plot import GAP_FACE, OUTLINE, REACHED, _font_families

    cmp = comparison
    if cmp.cells is None:
        raise ValueError("no difference map: a run has no reach table (reach.csv)")
    if kind not in cmp.map_kinds():
        raise ValueError(f"no units of kind {kind!r} in both runs (kinds: "
                         f"{', '.join(cmp.map_kinds()) or 'none'})")
    a, b = cmp.names
    cells = cmp.cells[(cmp.cells.kind == kind)
                      & ~cmp.cells.change.isin(["only_in_a", "only_in_b"])].reset_index(drop=True)
    ra, rb = cmp.runs
    run = rb if rb.analysis is not None or ra.analysis is None else ra
    shapes = _unit_geometry(cells, run)
    regions = _regions(rb, kind)
    if regions is None:
        regions = _regions(ra, kind)
    analysis = next((r.analysis for r in (rb, ra) if r.analysis is not None), None)
    crs = analysis.crs if analysis is not None else _local_crs(cells.lon, cells.lat)
    shapes = shapes.to_crs(crs)
    bounds = shapes.total_bounds
    if regions is not None and len(regions):
        regions = regions.to_crs(crs)
        bounds = regions.total_bounds
    rows = cmp.table[cmp.table.kind == kind].set_index("region_id")
    families = _font_families(stacklevel=4)
    styles = {"gained": (GAINED, f"{b}で圏内になった"), "lost": (LOST, f"{b}で圏外になった"),
              "covered_both": (REACHED, "両方で圏内"), "uncovered_both": (GAP_FACE, "両方で圏外")}
    gids = {"gained": "gained", "lost": "lost", "covered_both": "both",
            "uncovered_both": "neither"}
    points = shapes.geom_type.eq("Point").all()
    with rc_context({"text.parse_math": False, "font.family": families}):
        extent = mapstyle._extent(bounds)
        title = title or f"{kind_name(kind)}の圏内の変化: {a} → {b}"
        fig, ax, key, extent = mapstyle._figure(extent, title, mapstyle._credit(credit),
                                                rows=len(styles) + 1)
        if regions is not None:
            mapstyle._draw(ax, regions, facecolor="#f4f4f4", edgecolor="none", zorder=1)
        handles = []
        for change in ("uncovered_both", "covered_both", "lost", "gained"):
            colour, label = styles[change]
            mine = (cells.change == change).to_numpy()
            part = shapes[mine]
            if len(part):
                if points:
                    ax.scatter(part.x, part.y, s=6, c=colour, linewidths=0, zorder=3,
                               gid=f"zaitaku-compare-{gids[change]}")
                else:
                    part.plot(ax=ax, aspect=None, color=colour, linewidth=0, zorder=3,
                              gid=f"zaitaku-compare-{gids[change]}")
            text = f"{label}: {mine.sum():,}"
            weight = cells[f"weight_{b if change != 'lost' else a}"][mine]
            if weight.notna().any():
                text += f"（需要 {_amount(weight.sum())}）"
            handles.append(Patch(facecolor=colour, edgecolor="none", label=text,
                                 gid=f"zaitaku-compare-{gids[change]}"))
        handles.reverse()  # gained and lost first
        if regions is not None:
            mapstyle._draw(ax, regions, facecolor="none", edgecolor=OUTLINE, linewidth=1.0,
                           zorder=4)
            handles.append(Line2D([], [], color=OUTLINE, linewidth=1.0, label="圏域の境界"))
            labels = []
            for rid, name in zip(regions.region_id, regions.region_name):
                row = rows.loc[rid] if rid in rows.index else None
                share = "" if row is None else \
                    f"\n{mapstyle._pct(row[f'share_covered_{a}'])} → " \
                    f"{mapstyle._pct(row[f'share_covered_{b}'])}"
                labels.append(f"{name or rid}{share}")
        mapstyle.draw_scale_bar(ax, crs)
        mapstyle.draw_north_arrow(ax, crs)
        if regions is not None:
            # region names placed clear of each other, the scale bar and the arrow
            nothing = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=crs))
            placer = mapstyle._placer(ax, nothing, np.empty((0, 2)), extent)
            mapstyle._names(ax, regions, labels, extent, placer)
        mapstyle._legend(ax, key, handles, [])
    return fig


__all__ = ["compare", "Comparison", "side_by_side", "cell_changes", "difference_map",
           "read_coverage_csv", "read_reach_csv", "CHANGES"]
