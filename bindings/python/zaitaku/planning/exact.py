"""The covering model of the designation, solved outside libcoverage with
HiGHS (highspy): a bound from its linear relaxation for every plan, an exact
mode (the integer program, warm-started from the heuristic, with a time
limit) and one plan for several scenarios at once.

libcoverage gives the model as arrays (``cov_plan_problem``: who may be
designated, who is fixed, each candidate's reach, the demand, the budget
and the regions that need a lead), so the solver here and the heuristic in
C solve the same problem. With y_f = 1 when facility f is designated, the
objective sum_u w_u max{pref_f : y_f = 1, f reaches u} is written with one
variable z_ul in [0, 1] per unit u and preference level p_l (p_0 = 0 <
p_1 < ...): maximise sum w_u (p_l - p_l-1) z_ul subject to z_ul <= sum of
y_f over the f reaching u with pref_f >= p_l. At integer y this is the
objective exactly; its relaxation (y in [0, 1]) is an upper bound on every
plan with the same budget.
"""

from dataclasses import dataclass, field
import time

import numpy as np

from .._ffi.core import call
from .._libcoverage import ffi, lib

#: HiGHS' model statuses, in the words of a table cell.
_STATUS = {"kOptimal": "optimal", "kTimeLimit": "time limit", "kIterationLimit": "iteration limit",
           "kInfeasible": "infeasible", "kSolutionLimit": "solution limit",
           "kInterrupt": "interrupted", "kObjectiveBound": "objective bound"}


def _highspy():
    try:
        import highspy
    except ImportError:  # pragma: no cover - a dependency of zaitaku
        raise ImportError("the designation's bound and exact mode need highspy "
                          "(pip install highspy)") from None
    return highspy


@dataclass
class CoveringModel:
    """The designation's covering model of one analysis and travel model
    (libcoverage's ``cov_plan_problem`` copied into numpy arrays)."""

    facility_ids: list
    status: np.ndarray       # per facility: 0 neither, 1 candidate, 2 fixed
    pref: np.ndarray         # per facility
    region: np.ndarray       # per facility: region index, -1 outside
    needs_lead: np.ndarray   # per region, bool
    weight: np.ndarray       # per unit
    offset: np.ndarray       # CSR over facilities
    unit: np.ndarray
    budget: int              # -1: no limit
    total: float
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_options(cls, an, model, options):
        p = call(an.context, lib.cov_plan_problem_create, an.c_analysis, model, options)
        try:
            nf, nu, nr = p.n_facilities, p.n_units, p.n_regions

            def arr(ptr, n, dtype):
                if n == 0:
                    return np.zeros(0, dtype)
                return np.frombuffer(ffi.buffer(ptr, n * np.dtype(dtype).itemsize),
                                     dtype=dtype).copy()

            offset = arr(p.offset, nf + 1, np.uintp).astype(np.int64)
            out = cls(facility_ids=an.facilities.to_geodataframe().facility_id.tolist(),
                      status=arr(p.status, nf, np.uint8), pref=arr(p.pref, nf, np.float64),
                      region=arr(p.region, nf, np.int64),
                      needs_lead=arr(p.needs_lead, nr, np.uint8).astype(bool),
                      weight=arr(p.weight, nu, np.float64), offset=offset,
                      unit=arr(p.unit, int(offset[-1]), np.uint32).astype(np.int64),
                      budget=-1 if int(p.budget) == (1 << 8 * ffi.sizeof("size_t")) - 1
                      else int(p.budget),
                      total=float(p.total))
        finally:
            lib.cov_plan_problem_destroy(p)
        return out

    @property
    def fixed(self):
        return self.status == 2

    def selection(self, facility_ids):
        """A plan as a mask over the model's facilities: those of
        facility_ids (e.g. a picks table's column)."""
        return np.isin(self.facility_ids, np.asarray(facility_ids))

    def _pairs(self):
        f = np.repeat(np.arange(len(self.status)), np.diff(self.offset))
        return f, self.unit

    def evaluate(self, selected, plain=False):
        """(objective, covered demand) of a plan: a boolean mask over the
        facilities (the fixed are added); plain counts every pick once
        (covered demand as the objective)."""
        sel = np.asarray(selected, bool) | self.fixed
        f, u = self._pairs()
        keep = sel[f]
        best = np.zeros(len(self.weight))
        pref = np.ones_like(self.pref) if plain else self.pref
        np.maximum.at(best, u[keep], pref[f[keep]])
        return float(self.weight @ best), float(self.weight[best > 0].sum())

    def levels(self, plain=False):
        """The model's rows, one per preference level and group of units
        reached by the same facilities at that level (merged: their z are
        equal at every optimum, so the program is the same with far fewer
        rows; Hokkaido's 40,911 cells make a few thousand groups). A list
        of (weight, offset, facility): group g weighs weight[g] (its
        demand times the level's step) and is reached by
        facility[offset[g]:offset[g + 1]]. Units of no weight are left out."""
        key = bool(plain)
        if key in self._cache:
            return self._cache[key]
        f, u = self._pairs()
        pref = np.ones_like(self.pref) if plain else self.pref
        keep = (self.status[f] > 0) & (self.weight[u] > 0)
        f, u = f[keep], u[keep]
        rng = np.random.default_rng(20261205)
        h = rng.integers(0, 2**63, size=(2, len(self.status)), dtype=np.uint64)
        out, prev = [], 0.0
        for p in np.unique(pref[self.status > 0]):
            m = pref[f] >= p
            order = np.lexsort((f[m], u[m]))
            fu, uu = f[m][order], u[m][order]
            units, first = np.unique(uu, return_index=True)
            if len(units) == 0:
                continue
            # two 64-bit sums of random keys name each unit's set of facilities
            with np.errstate(over="ignore"):
                k1 = np.add.reduceat(h[0][fu], first)
                k2 = np.add.reduceat(h[1][fu], first)
            _, rep, group = np.unique(np.stack([k1, k2], 1), axis=0, return_index=True,
                                      return_inverse=True)
            group = group.ravel()
            weight = np.bincount(group, self.weight[units], len(rep)) * (p - prev)
            ends = np.append(first[1:], len(fu))
            lengths = ends[rep] - first[rep]
            offset = np.concatenate([[0], np.cumsum(lengths)])
            take = np.repeat(first[rep] - offset[:-1], lengths) + np.arange(offset[-1])
            out.append((weight, offset, fu[take]))
            prev = p
        self._cache[key] = out
        return out

    def _block(self, prog, y0, plain, scale):
        """Adds this scenario's z columns and rows to prog, with the
        designation y at columns y0 .. y0 + n_facilities; returns the z
        columns and their objective coefficients (before scale)."""
        cols, costs = [], []
        for weight, offset, fac in self.levels(plain):
            n = len(weight)
            z = prog.add_cols(weight * scale, 0.0, 1.0)
            r = prog.add_rows(np.full(n, -np.inf), np.zeros(n))
            # z_g - sum of the y reaching group g at this level <= 0
            prog.add_entries(r + np.arange(n), z, np.ones(n))
            prog.add_entries(r + np.repeat(np.arange(n), np.diff(offset)), y0 + fac,
                             -np.ones(len(fac)))
            cols.append(z)
            costs.append(weight)
        return (np.concatenate(cols) if cols else np.zeros(0, np.int64),
                np.concatenate(costs) if costs else np.zeros(0))

    def z_values(self, selected, plain=False):
        """The z of a plan, in the order of _block's columns."""
        sel = np.asarray(selected, bool) | self.fixed
        out = [np.maximum.reduceat(sel[fac].astype(float), offset[:-1]) if len(fac) else
               np.zeros(0) for _, offset, fac in self.levels(plain)]
        return np.concatenate(out) if out else np.zeros(0)


class _Program:
    """A linear or integer program assembled in pieces and solved by
    HiGHS: columns with costs and bounds, rows with bounds, entries as
    (row, column, value) triplets."""

    def __init__(self):
        self.cost, self.lo, self.hi, self.integer = [], [], [], []
        self.row_lo, self.row_hi = [], []
        self.r, self.c, self.v = [], [], []
        self.n_col = self.n_row = 0

    def add_cols(self, cost, lo, hi, integer=False):
        cost = np.atleast_1d(np.asarray(cost, float))
        n = len(cost)
        self.cost.append(cost)
        self.lo.append(np.broadcast_to(np.asarray(lo, float), (n,)))
        self.hi.append(np.broadcast_to(np.asarray(hi, float), (n,)))
        self.integer.append(np.broadcast_to(np.asarray(integer, bool), (n,)))
        first = self.n_col
        self.n_col += n
        return first + np.arange(n)

    def add_rows(self, lo, hi):
        lo = np.atleast_1d(np.asarray(lo, float))
        self.row_lo.append(lo)
        self.row_hi.append(np.broadcast_to(np.asarray(hi, float), lo.shape))
        first = self.n_row
        self.n_row += len(lo)
        return first

    def add_entries(self, rows, cols, vals):
        self.r.append(np.asarray(rows, np.int64))
        self.c.append(np.asarray(cols, np.int64))
        self.v.append(np.asarray(vals, float))

    def solve(self, integer, time_limit=None, start=None, mip_rel_gap=1e-6):
        """Maximises; returns (status, value, bound, x)."""
        highspy = _highspy()
        h = _new_highs(highspy)
        h.setOptionValue("output_flag", False)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
        # HiGHS 1.16's presolve rule 15 spends seconds on this model even on the
        # 41-facility sample (3.0 s of a 3.1 s solve; 0.06 s without it)
        h.setOptionValue("presolve_rule_off", 1 << 15)
        cat = (lambda parts: np.concatenate(parts) if parts else np.zeros(0))
        r, c, v = cat(self.r).astype(np.int64), cat(self.c).astype(np.int64), cat(self.v)
        order = np.lexsort((c, r))
        r, c, v = r[order], c[order], v[order]
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.n_col, self.n_row
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = cat(self.cost), cat(self.lo), cat(self.hi)
        lp.row_lower_, lp.row_upper_ = cat(self.row_lo), cat(self.row_hi)
        lp.sense_ = highspy.ObjSense.kMaximize
        m = lp.a_matrix_
        m.format_ = highspy.MatrixFormat.kRowwise
        m.num_col_, m.num_row_ = self.n_col, self.n_row
        m.start_ = np.concatenate([[0], np.cumsum(np.bincount(r, minlength=self.n_row))])
        m.index_, m.value_ = c, v
        if integer:
            ints = cat(self.integer).astype(bool)
            lp.integrality_ = [highspy.HighsVarType.kInteger if i else
                               highspy.HighsVarType.kContinuous for i in ints]
        h.passModel(lp)
        if integer and start is not None:
            sol = highspy.HighsSolution()
            sol.col_value = list(map(float, start))
            h.setSolution(sol)
        h.run()
        status = h.getModelStatus()
        name = _STATUS.get(str(status).split(".")[-1], h.modelStatusToString(status))
        info = h.getInfo()
        x = np.asarray(h.getSolution().col_value, float)
        value = float(info.objective_function_value) if len(x) else 0.0
        bound = float(info.mip_dual_bound) if integer else value
        if integer and not np.isfinite(bound):
            bound = value
        return name, value, bound, x


_BANNER_SHOWN = []


def _new_highs(highspy):
    """A Highs object; the first one's copyright banner (printed to the
    process's stdout by HiGHS itself) is kept out of the user's output."""
    if _BANNER_SHOWN:
        return highspy.Highs()
    import os
    import sys
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _BANNER_SHOWN.append(True)
    return h


@dataclass
class Solution:
    """What a solve of the covering model gives."""

    status: str          # "optimal", "time limit", ...
    value: float         # the incumbent's objective (LP: the relaxation's value)
    bound: float         # no plan does better than this
    selected: np.ndarray  # per facility, bool (LP: y > 0.5); fixed included
    y: np.ndarray        # per facility, the solver's values
    seconds: float


def solve(models, budget, *, integer=False, plain=False, time_limit=None, start=None,
          scales=None, worst=False, mip_rel_gap=1e-6):
    """Solves the covering model of one or several scenarios sharing one
    designation (the models must list the same facilities, with the same
    statuses). With several: maximise the sum of the objectives times
    scales, or (worst) the smallest of them times its scale. start: a
    plan (per facility, bool) to warm-start the integer program."""
    t0 = time.perf_counter()
    base = models[0]
    scales = [1.0] * len(models) if scales is None else [float(s) for s in scales]
    prog = _Program()
    n = len(base.status)
    lo = (base.status == 2).astype(float)
    hi = (base.status > 0).astype(float)
    y = prog.add_cols(np.zeros(n), lo, hi, integer=base.status == 1)
    t = prog.add_cols([1.0], -np.inf, np.inf)[0] if worst else None
    for m, s in zip(models, scales):
        z, cost = m._block(prog, y[0], plain, 0.0 if worst else s)
        if worst:  # t - s * objective_s <= 0
            row = prog.add_rows([-np.inf], [0.0])
            prog.add_entries(np.full(len(z) + 1, row), np.concatenate([[t], z]),
                             np.concatenate([[1.0], -s * cost]))
    cand = np.flatnonzero(base.status == 1)
    if budget is not None and budget >= 0:
        row = prog.add_rows([-np.inf], [float(budget)])
        prog.add_entries(np.full(len(cand), row), y[cand], np.ones(len(cand)))
    for r in np.flatnonzero(base.needs_lead):
        members = cand[base.region[cand] == r]
        row = prog.add_rows([1.0], [np.inf])
        prog.add_entries(np.full(len(members), row), y[members], np.ones(len(members)))
    x0 = None
    if start is not None:
        sel = np.asarray(start, bool) | base.fixed
        parts = [sel.astype(float)]
        if worst:
            parts.append([min(s * m.evaluate(sel, plain)[0] for m, s in zip(models, scales))])
        parts += [m.z_values(sel, plain) for m in models]
        x0 = np.concatenate(parts)
    status, value, bound, x = prog.solve(integer, time_limit, x0, mip_rel_gap)
    yv = x[:n] if len(x) else np.zeros(n)
    return Solution(status, value, bound, (yv > 0.5) & (base.status > 0), yv,
                    time.perf_counter() - t0)
