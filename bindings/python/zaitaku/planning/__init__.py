"""Planning: policy checks per area, gap clusters, designation of lead
institutions, sites for new nursing stations, and accessibility (2SFCA).

Every function takes an :class:`~zaitaku.Analysis`. Thresholds are in the
analysis's travel model: a distance (``"16km"`` or metres) for the straight
line; with a road network also a time (``"30min"``). The 16 km house-call
rule is always a geodesic straight line. Defaults and their sources are in
``include/libcoverage/planning.h``: 16 km (the house-call rule, 療担規則),
30 minutes by road for nurses when a network is set (the 日常生活圏域 of
地域包括ケアシステム, 厚生労働省; else 16 km), pass shares 0.9 (a planning
choice: no official figure exists).

Examples
--------
>>> import zaitaku
>>> from zaitaku import planning
>>> an = zaitaku.Analysis.sample()
>>> table = planning.check(an)
>>> sorted(table.check.unique())[:3]
['backup', 'home_care', 'hub']
>>> picks, regions = planning.designate(an, budget=3)
>>> list(picks.reason)
['fixed', 'coverage', 'region', 'coverage']
"""

import inspect
import time

import numpy as np
import pandas as pd

from .._ffi.core import Table, call, cstrings, doubles
from .._libcoverage import ffi, lib
from ..units import metres

NAN = float("nan")
SUPPLY = {"capacity": lib.COV_SUPPLY_CAPACITY, "doctors": lib.COV_SUPPLY_DOCTORS,
          "nurse_fte": lib.COV_SUPPLY_NURSE_FTE, "beds": lib.COV_SUPPLY_BEDS,
          "one": lib.COV_SUPPLY_ONE, "beds_psychiatric": lib.COV_SUPPLY_BEDS_PSYCHIATRIC}
JMAP_WEIGHTS = (0.6, 0.4, 1.0, 2.3, 3.9)  # 0-14, 15-39, 40-64, 65-74, 75+


def threshold(an, value, what="threshold"):
    """A threshold as C takes it: metres, or seconds for a time
    (``"30min"``, ``"1800s"``, ``"0.5h"``), which needs a road analysis
    (there the unit picks the metric, as in :meth:`Analysis.coverage`).
    None gives NaN: planning.h's default in the analysis's own metric.

    Examples
    --------
    >>> import zaitaku
    >>> threshold(zaitaku.Analysis.sample(), "16km")
    16000.0
    """
    return _Travel(an).value(value, what)


class _Travel:
    """The one travel model of a planning call (C takes one) and its
    thresholds: thresholds given with units pick the model (road distance
    or time), and must agree; without any, the analysis's own model."""

    def __init__(self, an):
        self.an, self.model, self.by = an, None, None

    def value(self, value, what="threshold"):
        if value is None:
            return NAN
        try:
            model, v = self.an.model_for(value)
        except ValueError as e:
            raise ValueError(f"{what}: {e}") from None
        if self.model is not None and model != self.model:
            raise ValueError(f"{what} {value!r} and {self.by[0]} {self.by[1]!r} measure "
                             "different things (distance and time) along roads: give them "
                             "in one metric")
        self.model, self.by = model, (what, value)
        return v

    @property
    def ptr(self):
        return self.model if self.model is not None else self.an.model


def _kinds(values, keep):
    if values is None:
        return ffi.NULL, 0
    values = [values] if isinstance(values, str) else list(values)
    return cstrings(values, keep), len(values)


def _weight(an, weight):
    return 0 if weight is None else an.demand._weight_index(weight)


def _frame(an, ptr):
    return Table(an.context, ptr).to_frame()


# -- facility attributes --------------------------------------------------------

def facility_attributes(facilities):
    """The planning attributes of facilities: facility_id, kind, lead, hub,
    h24 (1, 0, or -1 unknown), network_id, doctors, nurse_fte, beds,
    beds_psychiatric (NaN unknown).

    Examples
    --------
    >>> import zaitaku
    >>> att = facility_attributes(zaitaku.Analysis.sample().facilities)
    >>> att[att.lead].facility_id.tolist()
    ['H001']
    """
    p, n = facilities._ptr, len(facilities)
    roles = np.array([lib.cov_facilities_roles(p, i) for i in range(n)], dtype=int)
    text = lambda f: [ffi.string(f(p, i)).decode() for i in range(n)]  # noqa: E731
    supply = lambda s: [lib.cov_facilities_supply(p, i, s) for i in range(n)]  # noqa: E731
    return pd.DataFrame({
        "facility_id": text(lib.cov_facilities_id), "kind": text(lib.cov_facilities_kind),
        "lead": (roles & lib.COV_ROLE_LEAD) != 0, "hub": (roles & lib.COV_ROLE_HUB) != 0,
        "h24": [lib.cov_facilities_h24(p, i) for i in range(n)],
        "network_id": text(lib.cov_facilities_network_id),
        "doctors": supply(lib.COV_SUPPLY_DOCTORS), "nurse_fte": supply(lib.COV_SUPPLY_NURSE_FTE),
        "beds": supply(lib.COV_SUPPLY_BEDS),
        "beds_psychiatric": supply(lib.COV_SUPPLY_BEDS_PSYCHIATRIC)})


# -- policy checks ----------------------------------------------------------------

def _policy_options(an, weight, rule16, doctor_threshold, nursing_threshold, min_share_rule16,
                    min_share_nursing, min_share_redundant, home_care_kinds, backup_kinds,
                    standard_kinds, subareas, subarea_parent, keep, travel):
    o = ffi.new("cov_policy_options *")
    lib.cov_policy_options_init(o)
    keep.append(o)
    o.weight = _weight(an, weight)
    o.rule16_m = metres(rule16, "rule16")
    o.doctor_threshold = travel.value(doctor_threshold, "doctor_threshold")
    o.nursing_threshold = travel.value(nursing_threshold, "nursing_threshold")
    o.min_share_rule16 = float(min_share_rule16)
    o.min_share_nursing = float(min_share_nursing)
    o.min_share_redundant = float(min_share_redundant)
    o.home_care_kinds, o.n_home_care_kinds = _kinds(home_care_kinds, keep)
    o.backup_kinds, o.n_backup_kinds = _kinds(backup_kinds, keep)
    o.standard_kinds, o.n_standard_kinds = _kinds(standard_kinds, keep)
    if subareas is not None:
        if subareas._ctx is not an.context:
            raise ValueError("subareas were made in another thread (context) than the analysis")
        keep.append(subareas)
        o.subareas = subareas._ptr
        if subarea_parent is not None:
            parents = [subarea_parent.get(i) if isinstance(subarea_parent, dict) else p
                       for i, p in zip(subareas.ids, (subarea_parent if not isinstance(
                           subarea_parent, dict) else subareas.ids))]
            if len(parents) != len(subareas):
                raise ValueError(f"subarea_parent has {len(parents)} entries for "
                                 f"{len(subareas)} sub-areas")
            o.subarea_parent = cstrings(parents, keep)
    return o


def check(an, *, weight=None, rule16="16km", doctor_threshold=None, nursing_threshold=None,
          min_share_rule16=0.9, min_share_nursing=0.9, min_share_redundant=0.9,
          home_care_kinds=None, backup_kinds=None, standard_kinds=None, subareas=None,
          subarea_parent=None, home_care_counts=None, home_care_source="statistics",
          wide=False):
    """Policy checks per region, each passed (1), failed (0) or not
    applicable (-1) with a plain reason.

    Checks: ``lead`` and ``hub`` designated; ``home_care`` (a 在支診/在支病
    in the region); ``rule16`` (share of demand within 16 km, straight
    line, of a 在支診/在支病); ``rule16_exception`` (demand with no doctor of
    any kind within 16 km: house calls there rely on the exception);
    ``nursing`` (share within the nursing threshold); ``redundancy`` (share
    with two or more 在支診/在支病 within the doctor threshold); ``backup``
    (standard 在支診 without a lead, enhanced clinic or backup hospital
    within the doctor threshold); ``subareas`` (with ``subareas``: each
    must hold a lead).

    Parameters
    ----------
    an : Analysis
    subareas : Regions, optional
        Sub-areas nested in the analysis's regions (e.g. 在宅医療圏 in
        二次医療圏); ``subarea_parent`` (dict sub-area id -> region id, or a
        list in sub-area order) says where each belongs, else it is found
        from a point inside it.
    home_care_counts : dict, optional
        Region id -> number of 在支診/在支病 from statistics, for when their
        locations are unknown (e.g. 医療施設調査): the ``home_care`` check
        then uses these counts, citing ``home_care_source``; regions not in
        the dict keep the count of the facilities.
    wide : bool
        Return one row per region and one ``passed`` column per check
        instead of the long table.

    Returns
    -------
    pandas.DataFrame
        region_id, region_name, check, passed, value, target, reason.
    """
    keep, travel = [], _Travel(an)
    o = _policy_options(an, weight, rule16, doctor_threshold, nursing_threshold,
                        min_share_rule16, min_share_nursing, min_share_redundant,
                        home_care_kinds, backup_kinds, standard_kinds, subareas, subarea_parent,
                        keep, travel)
    frame = _frame(an, call(an.context, lib.cov_policy_check, an.c_analysis, travel.ptr, o,
                            progress="policy checks"))
    for rid, n in (home_care_counts or {}).items():
        row = (frame.region_id == str(rid)) & (frame.check == "home_care")
        if not row.any():
            raise KeyError(f"home_care_counts: no region {rid!r} in the analysis")
        n = int(n)
        frame.loc[row, "value"] = float(n)
        frame.loc[row, "passed"] = int(n > 0)
        frame.loc[row, "reason"] = (f"{n} 在支診/在支病 ({home_care_source})" if n else
                                    f"no 在支診/在支病 ({home_care_source})")
    if not wide:
        return frame
    return frame.pivot_table(index=["region_id", "region_name"], columns="check",
                             values="passed", sort=False).reset_index()


def backup(an, *, doctor_threshold=None, backup_kinds=None, standard_kinds=None):
    """Every standard 在支診 (not itself a lead) with its nearest backup
    provider (a lead, an enhanced clinic or a backup hospital) and whether
    it lies within the doctor threshold: a GeoDataFrame with facility_id,
    name, kind, region_id, has_backup, backup_id, backup_distance_m."""
    keep, travel = [], _Travel(an)
    o = _policy_options(an, None, "16km", doctor_threshold, None, 0.9, 0.9, 0.9, None,
                        backup_kinds, standard_kinds, None, None, keep, travel)
    return _frame(an, call(an.context, lib.cov_policy_backup, an.c_analysis, travel.ptr, o))


# -- gaps and sites ------------------------------------------------------------------

def _gap_options(an, kinds, threshold_, weight, link, radius, n, keep, travel):
    o = ffi.new("cov_gap_options *")
    lib.cov_gap_options_init(o)
    keep.append(o)
    o.weight = _weight(an, weight)
    o.threshold = travel.value(threshold_)
    o.kinds, o.n_kinds = _kinds(kinds, keep)
    o.link_m = metres(link, "link")
    o.site_radius_m = NAN if radius is None else metres(radius, "radius")
    if n is not None:
        if int(n) < 0:
            raise ValueError(f"n must be >= 0, not {n!r}")
        o.max_sites = int(n)
    return o


def clusters(an, *, kinds=None, threshold=None, weight=None, link="1km"):
    """Uncovered demand grouped into gap clusters, ranked by demand.

    A unit is uncovered when no facility of ``kinds`` (default the nursing
    kinds) lies within ``threshold``. Mesh cells join when they share an
    edge or a corner (8 neighbours); points when within ``link``. Clusters
    never cross region borders.

    Returns
    -------
    geopandas.GeoDataFrame
        cluster_id, region_id, region_name, n_units, demand, area_km2,
        centroid_lon, centroid_lat (demand-weighted), nearest_id,
        nearest_distance_m; geometry the union of the cells (EPSG:6668).
    """
    keep, travel = [], _Travel(an)
    o = _gap_options(an, kinds, threshold, weight, link, None, None, keep, travel)
    return _frame(an, call(an.context, lib.cov_gap_clusters, an.c_analysis, travel.ptr, o,
                           progress="gap clusters"))


def sites(an, *, n=5, kinds=None, threshold=None, radius=None, weight=None):
    """Suggested sites for new facilities (e.g. satellite nursing stations)
    on the uncovered demand cells: greedy maximum coverage of the uncovered
    demand within ``radius`` (straight line; default the threshold).

    Returns
    -------
    geopandas.GeoDataFrame
        rank, demand_id, region_id, gain_demand,
        covered_demand_cumulative (the gap's demand covered by this
        site and those before it), share_of_gap_cumulative (that, as a
        share of the demand out of reach), with the site's point.
    """
    keep, travel = [], _Travel(an)
    o = _gap_options(an, kinds, threshold, weight, "1km", radius, n, keep, travel)
    return _frame(an, call(an.context, lib.cov_plan_sites, an.c_analysis, travel.ptr, o,
                           progress="sites")).rename(columns=_CUMULATIVE)


#: libcoverage's names of the running totals of the greedy tables, and the
#: names zaitaku gives them, which say that they are running totals over
#: every region (a plan.csv read alone read "share_covered" as the pick's
#: own region's share).
_CUMULATIVE = {"covered_demand": "covered_demand_cumulative",
               "share_covered": "share_covered_cumulative",
               "share_of_gap": "share_of_gap_cumulative"}


# -- designation ------------------------------------------------------------------------

def _mask(an, values, what, keep):
    if values is None:
        return ffi.NULL
    ids = an.facilities.to_geodataframe().facility_id.tolist()
    values = list(values)
    if len(values) == len(ids) and all(isinstance(v, (bool, np.bool_)) for v in values):
        arr = np.array(values, dtype=np.uint8)
    else:
        wanted = set(map(str, values))
        unknown = sorted(wanted - set(ids))
        if unknown:
            raise KeyError(f"{what}: no facility with id {unknown[0]!r}")
        arr = np.array([i in wanted for i in ids], dtype=np.uint8)
    return _mask_ptr(arr, keep)


def _mask_ptr(values, keep):
    """A per-facility mask as C takes it (keep holds the array)."""
    arr = np.asarray(values, dtype=np.uint8)
    keep.append(arr)
    return ffi.cast("const unsigned char *", ffi.from_buffer(arr))


def _candidate_options(an, o, keep, candidate_kinds, candidates, fixed,
                       include_psychiatric_only):
    """The members of cov_plan_options that decide who may be designated
    (shared by :func:`candidates` and :func:`designate`, as in C)."""
    o.candidate_kinds, o.n_candidate_kinds = _kinds(candidate_kinds, keep)
    o.candidate = _mask(an, candidates, "candidates", keep)
    o.fixed = _mask(an, fixed, "fixed", keep)
    o.psychiatric_only_candidates = int(bool(include_psychiatric_only))


def candidates(an, *, candidate_kinds=None, candidates=None, fixed=None,
               include_psychiatric_only=False):
    """Who may be designated as a lead, and why not: one row per facility.

    The rule :func:`designate` applies (both ask libcoverage's
    ``cov_plan_candidates``), first match wins: facilities with the lead
    role (or in ``fixed``) are kept ("fixed"); facilities of other kinds
    than ``candidate_kinds`` (default 在支診/在支病: zaishin,
    enhanced_single, enhanced_network, zaibyo), or not in ``candidates``,
    are left out ("kind"); so are those outside every region ("outside":
    they still count for reach) and hospitals whose beds are all
    psychiatric ("psychiatric_only", unless ``include_psychiatric_only``);
    the rest are candidates. Unknown beds never exclude.

    Returns
    -------
    geopandas.GeoDataFrame
        facility_id, name, kind, region_id, beds, beds_psychiatric,
        candidate (1 fixed or candidate, 0 left out), status ("fixed",
        "candidate", "kind", "outside", "psychiatric_only") and reason
        (e.g. "psychiatric beds only (399 of 399)"), with the points.

    Examples
    --------
    >>> import zaitaku
    >>> t = candidates(zaitaku.Analysis.sample())
    >>> t.status.value_counts().to_dict()
    {'candidate': 27, 'kind': 12, 'outside': 1, 'fixed': 1}
    >>> t.set_index("facility_id").reason["C026"]   # in the sea, across a border
    'outside every region'
    """
    keep = []
    o = ffi.new("cov_plan_options *")
    lib.cov_plan_options_init(o)
    _candidate_options(an, o, keep, candidate_kinds, candidates, fixed,
                       include_psychiatric_only)
    return _frame(an, call(an.context, lib.cov_plan_candidates, an.c_analysis, o))


def _plan_options(an, keep, travel, *, budget, target_share, threshold, weight,
                  candidate_kinds, enhanced_kinds, enhanced_weight, one_per_region,
                  swap_passes, candidates, fixed, include_psychiatric_only, start):
    """designate()'s cov_plan_options (keep holds what they point to)."""
    o = ffi.new("cov_plan_options *")
    lib.cov_plan_options_init(o)
    o.weight = _weight(an, weight)
    o.threshold = travel.value(threshold)
    _candidate_options(an, o, keep, candidate_kinds, candidates, fixed,
                       include_psychiatric_only)
    o.enhanced_kinds, o.n_enhanced_kinds = _kinds(enhanced_kinds, keep)
    o.enhanced_weight = float(enhanced_weight)
    if int(budget) < 0:
        raise ValueError(f"budget must be >= 0, not {budget!r}")
    # a budget beyond the facilities is no limit (and must fit C's size_t)
    o.budget = min(int(budget), len(an.facilities))
    o.target_share = NAN if target_share is None else float(target_share)
    o.one_per_region = int(bool(one_per_region))
    o.swap_passes = int(swap_passes)
    o.start = _mask(an, start, "start", keep)
    return o


def designate(an, *, budget=0, target_share=None, threshold=None, weight=None,
              candidate_kinds=None, enhanced_kinds=None, enhanced_weight=1.1,
              one_per_region=True, swap_passes=10, candidates=None, fixed=None,
              include_psychiatric_only=False, bound=True, exact=False, time_limit=60.0,
              start=None):
    """Chooses lead institutions (積極的役割を担う医療機関) to maximise the
    demand covered within ``threshold``.

    Already designated leads are kept; each region with a candidate gets at
    least one lead first; then picks go on until ``budget`` new designations
    or ``target_share`` of the demand is covered. A unit reached by an
    enhanced lead counts ``enhanced_weight`` times (1: plain covered
    demand). Greedy with lazy evaluation (CELF), then swap improvement.
    Who may be picked is :func:`candidates`' rule: by default 在支診/在支病
    inside a region, and no hospital whose beds are all psychiatric.

    Every plan comes with a bound (``bound=True``): the linear relaxation
    of the same covering model (HiGHS), so the plan can be reported as
    "covers X; no plan with this many new leads covers more than Y". When
    the relaxation leaves a gap, the pair moves are tried again with the
    candidates it uses (a change in two regions at once, which the best
    single gains miss). ``exact=True`` solves the integer program
    (warm-started from the heuristic) until optimal or ``time_limit``
    seconds, keeping its incumbent when better and its bound.

    Parameters
    ----------
    candidates, fixed : list of facility ids or booleans, optional
        Override the candidate kinds (default 在支診/在支病) and the fixed
        set (default facilities with the lead role).
    include_psychiatric_only : bool
        Let hospitals whose beds are all psychiatric be candidates.
    bound : bool
        Compute the bound (and try the moves it suggests).
    exact : bool
        Solve the integer program (implies ``bound``).
    time_limit : float
        Seconds the exact mode may take (the incumbent and the bound when
        it stops are reported).
    start : list of facility ids or booleans, optional
        A plan to start from (e.g. the prefecture's own designations):
        the greedy adds to it and the swaps may change it; with
        ``swap_passes=0`` and a budget of its size the result is exactly
        that plan, with its tables and bound.

    Returns
    -------
    picks : geopandas.GeoDataFrame
        rank, facility_id, name, kind, region_id, reason ("fixed",
        "region", "coverage"), gain_demand, covered_demand_cumulative
        (the demand of all regions within reach of this pick and those
        before it), share_covered_cumulative (that over the demand of all
        regions), gain_objective; fixed first, then in greedy order.
        ``picks.attrs["excluded"]`` holds the rows of :func:`candidates`
        left out (candidate 0), each with its status and reason: other
        kinds, outside every region, psychiatric beds only.
        ``picks.attrs["bound"]`` (with ``bound``) is a dict: see
        :func:`bound_table`.
    regions : pandas.DataFrame
        Per region: n_candidates, n_fixed, n_picked, demand_total,
        covered_before, covered_after, share_before, share_after, status
        ("ok", or "no candidate: needs cross-region support or a new
        facility").

    Examples
    --------
    >>> import zaitaku
    >>> picks, regions = designate(zaitaku.Analysis.sample())
    >>> picks.attrs["excluded"].status.value_counts().to_dict()
    {'kind': 12, 'outside': 1}
    >>> picks.attrs["excluded"].query("status == 'outside'").reason.tolist()
    ['outside every region']
    >>> b = picks.attrs["bound"]
    >>> b["objective"] <= b["objective_bound"] + 1e-6
    True
    """
    picks, regions, _ = _designate(
        an, budget=budget, target_share=target_share, threshold=threshold, weight=weight,
        candidate_kinds=candidate_kinds, enhanced_kinds=enhanced_kinds,
        enhanced_weight=enhanced_weight, one_per_region=one_per_region, swap_passes=swap_passes,
        candidates=candidates, fixed=fixed, include_psychiatric_only=include_psychiatric_only,
        bound=bound, exact=exact, time_limit=time_limit, start=start)
    return picks, regions


def _designate(an, *, bound, exact, time_limit, **plan):
    """designate(), also returning the covering model of the bound (None
    without a bound); plan holds _plan_options' arguments."""
    keep, travel = [], _Travel(an)
    o = _plan_options(an, keep, travel, **plan)
    if time_limit is not None and not float(time_limit) > 0:
        raise ValueError(f"time_limit must be > 0 seconds, not {time_limit!r}")
    listing = _frame(an, call(an.context, lib.cov_plan_candidates, an.c_analysis, o))

    def run():
        out = ffi.new("cov_table **"), ffi.new("cov_table **")
        call(an.context, lib.cov_plan_designate, an.c_analysis, travel.ptr, o, out[0], out[1],
             returns="status", progress="designation")
        return _frame(an, out[0][0]).rename(columns=_CUMULATIVE), _frame(an, out[1][0])

    picks, regions = run()
    model = None
    if bound or exact:
        picks, regions, model = _bounded(an, o, travel, run, picks, regions, exact, time_limit)
    picks.attrs["excluded"] = listing[listing.candidate == 0].reset_index(drop=True)
    return picks, regions, model


def _bounded(an, o, travel, run, picks, regions, exact, time_limit):
    """The bound of a plan, the LP-guided pair moves and the exact mode
    (:func:`designate`); o is designate's options, run() reruns it.
    Returns the picks and regions (improved or not) and the model."""
    ex = _exact()
    model = ex.CoveringModel.from_options(an, travel.ptr, o)
    sel = model.selection(picks.facility_id)
    n_new = int((sel & (model.status == 1)).sum())
    budget = model.budget if model.budget >= 0 else n_new
    value, _ = model.evaluate(sel)
    tol = 1e-9 * (model.total * max(1.0, float(model.pref.max(initial=1.0))) + 1.0)
    lp = ex.solve([model], budget)
    how, seconds = "heuristic", lp.seconds
    keep = []

    def rerun(start, **changes):
        nonlocal picks, regions, sel, value, seconds
        t0 = time.perf_counter()
        saved = {k: getattr(o, k) for k in ("start", "focus", *changes)}
        o.start = _mask_ptr(start & (model.status == 1), keep)
        for k, v in changes.items():
            setattr(o, k, _mask_ptr(v, keep) if k == "focus" else v)
        try:
            p2, r2 = run()
        finally:
            for k, v in saved.items():
                setattr(o, k, v)
            seconds += time.perf_counter() - t0
        s2 = model.selection(p2.facility_id)
        v2, _ = model.evaluate(s2)
        if v2 > value + tol:
            picks, regions, sel, value = p2, r2, s2, v2
            return True
        return False

    if lp.bound - value > tol and o.swap_passes > 0:
        focus = (lp.y > 1e-6) & (model.status == 1) & ~sel
        if focus.any() and rerun(sel, focus=focus):
            how = "heuristic, pair moves guided by the LP"
        if lp.bound - value > tol:
            # from the LP's own plan instead: its largest y (first the largest of each
            # region that needs a lead), then the swaps and pair moves
            focus = (lp.y > 1e-6) & (model.status == 1)
            if rerun(_rounded(model, lp.y, budget), focus=focus):
                how = "LP rounding, then swaps and pair moves"
    method, status, value_bound = "LP relaxation", "optimal" if lp.status == "optimal" \
        else lp.status, lp.bound
    if exact:
        mip = ex.solve([model], budget, integer=True, time_limit=time_limit, start=sel)
        seconds += mip.seconds
        method, status = "integer program (HiGHS)", mip.status
        value_bound = min(lp.bound, mip.bound)
        if mip.value > value + tol:
            rerun(mip.selected, swap_passes=0, budget=budget, target_share=NAN)
            how = "exact (integer program)"
    covered = float(picks.covered_demand_cumulative.iloc[-1]) if len(picks) else 0.0
    if np.all(model.pref[model.status > 0] == 1.0):
        people_bound = value_bound
    else:
        people = ex.solve([model], budget, plain=True)
        seconds += people.seconds
        people_bound = people.bound
    people_bound = max(people_bound, covered)  # the LP is a bound up to its tolerance
    value_bound = max(value_bound, value)
    picks.attrs["bound"] = {
        "budget": budget, "method": method, "status": status, "found_by": how,
        "objective": value, "objective_bound": value_bound,
        "gap": value_bound - value, "gap_share": (value_bound - value) / value_bound
        if value_bound > 0 else 0.0,
        "covered": covered, "covered_bound": people_bound, "gap_people": people_bound - covered,
        "demand_total": model.total, "seconds": seconds}
    return picks, regions, model


def _rounded(model, y, budget):
    """A plan from LP values y: the largest y of every region that needs a
    lead, then the largest others up to the budget (candidates only)."""
    cand = model.status == 1
    sel = np.zeros(len(y), bool)
    for r in np.flatnonzero(model.needs_lead):
        members = np.flatnonzero(cand & (model.region == r))
        if len(members):
            sel[members[np.argmax(y[members])]] = True
    for f in np.argsort(-y, kind="stable"):
        if sel.sum() >= budget:
            break
        sel[f] |= bool(cand[f]) and y[f] > 1e-6
    return sel


#: The rows of :func:`bound_table`, in order, with their descriptions.
BOUND_ROWS = {
    "budget": "new designations the plan and the bound are for",
    "covered": "demand the plan covers",
    "covered_bound": "no plan with this many new designations covers more",
    "gap_people": "covered_bound - covered",
    "objective": "the plan's objective (enhanced leads weighted)",
    "objective_bound": "no plan has a larger objective",
    "gap": "objective_bound - objective",
    "gap_share": "gap / objective_bound",
    "method": "how the bound was found",
    "status": "the solver's status (optimal, time limit)",
    "found_by": "what found the plan",
    "seconds": "seconds of the bound, the moves it guided and the exact mode",
}


def bound_table(picks):
    """The bound of a plan from :func:`designate` as a two-column table
    (item, value): a council paper's "the plan covers X people; no plan
    with this budget covers more than Y" with the gap in people and per
    cent of the objective.

    Examples
    --------
    >>> import zaitaku
    >>> picks, _ = designate(zaitaku.Analysis.sample(), budget=3)
    >>> t = bound_table(picks).set_index("item").value
    >>> float(t["covered"]) <= float(t["covered_bound"])
    True
    """
    b = picks.attrs.get("bound")
    if b is None:
        raise ValueError("this plan has no bound: designate(..., bound=True) makes one")
    return pd.DataFrame({"item": list(BOUND_ROWS), "value": [b[k] for k in BOUND_ROWS],
                         "description": list(BOUND_ROWS.values())})


def robust(scenarios, *, budget=0, objective="worst", weights=None, time_limit=60.0,
           threshold=None, weight=None, exact_own=False, **options):
    """One set of new leads for several scenarios.

    Each scenario is an :class:`~zaitaku.Analysis` of the same facilities
    (its own demand, weights or travel model: e.g.
    :meth:`~zaitaku.Analysis.scale_demand` for 2040, a winter road
    model). First each scenario's own plan is made (:func:`designate`, its
    bound included); then one plan for all is solved as an integer program
    (HiGHS), warm-started from the best of the scenarios' own plans, so it
    is never worse than any of them by the chosen measure:

    - ``objective="worst"`` maximises the smallest share of a scenario's
      own best (the objective of its own plan) that the plan reaches;
    - ``objective="weighted"`` maximises the sum of those shares times
      ``weights`` (one per scenario, default equal).

    Parameters
    ----------
    scenarios : dict of name -> Analysis, or name -> (Analysis, weight)
        The second form counts another weight of the same demand (e.g.
        people 75+ of 2020 and a 2040 projection as two columns).
    budget, threshold, weight, **options
        As :func:`designate` (the same for every scenario; threshold None:
        each analysis's default).
    time_limit : float
        Seconds for the joint integer program; when it stops early the
        incumbent and the bound on the measure are reported.
    exact_own : bool
        Make each scenario's own best with ``exact=True``.

    Returns
    -------
    picks : geopandas.GeoDataFrame
        The plan in the first scenario's terms (:func:`designate`'s
        picks); ``picks.attrs["robust"]``: objective ("worst" or
        "weighted"), value (the measure reached), bound (no plan reaches
        more), status, seconds.
    table : pandas.DataFrame
        One row per scenario: scenario, covered_robust, objective_robust
        (the plan's), covered_own, objective_own (the scenario's own
        plan), objective_own_bound, share_of_own_best (objective_robust /
        objective_own), and the new leads of the own plan that the robust
        plan does not take (own_not_in_robust).
    """
    from . import joint as rb

    if objective not in ("worst", "weighted"):
        raise ValueError(f"objective must be 'worst' or 'weighted', not {objective!r}")
    names = list(scenarios)
    if not names:
        raise ValueError("robust needs at least one scenario")
    weights = rb.parse_weights(names, weights)
    # designate()'s own defaults, and the options robust() passes on
    plan = {k: p.default for k, p in inspect.signature(designate).parameters.items()
            if k != "an"}
    unknown = sorted(set(options) - (set(plan) - {"budget", "threshold", "weight", "bound",
                                                  "exact", "time_limit", "start"}))
    if unknown:
        raise TypeError(f"robust() got an unexpected keyword argument {unknown[0]!r}")
    plan.update(options, budget=budget, threshold=threshold, exact=exact_own,
                time_limit=time_limit, bound=True)
    own, models = [], []
    pairs = [scenarios[n] if isinstance(scenarios[n], tuple) else (scenarios[n], weight)
             for n in names]
    for an, w in pairs:
        picks, _, model = _designate(an, **{**plan, "weight": w})
        own.append(picks)
        models.append(model)
    chosen, value, sol, best, k = rb.solve_robust(names, models, own, weights, objective,
                                                  time_limit)
    # the plan's tables in the first scenario's terms: exactly the chosen picks
    base = models[0]
    picks, _, _ = _designate(pairs[0][0], **{
        **plan, "weight": pairs[0][1], "budget": k, "start": list(chosen & (base.status == 1)),
        "swap_passes": 0, "bound": False, "exact": False})
    rows = []
    for name, m, p, b in zip(names, models, own, best):
        v, covered = m.evaluate(chosen)
        new_own = set(p.facility_id[p.reason != "fixed"])
        rows.append({"scenario": name, "covered_robust": covered, "objective_robust": v,
                     "covered_own": p.attrs["bound"]["covered"], "objective_own": b,
                     "objective_own_bound": p.attrs["bound"]["objective_bound"],
                     "share_of_own_best": v / b,
                     "own_not_in_robust": ", ".join(sorted(new_own - set(picks.facility_id)))})
    picks.attrs["robust"] = {"objective": objective, "value": float(value),
                             "bound": max(sol.bound, value), "status": sol.status,
                             "budget": k, "seconds": sol.seconds}
    return picks, pd.DataFrame(rows)


def _exact():
    from . import exact
    return exact


# -- accessibility ---------------------------------------------------------------------------

def access(an, *, kinds=None, supply="capacity", threshold=None, bands=None, weights=None,
           weight=None):
    """Two-step floating catchment accessibility (2SFCA), or E2SFCA with
    distance ``bands`` (ascending upper limits) and their ``weights``.

    R_j = S_j / sum_k W(d_kj) P_k over the units within reach of supply j;
    A_k = sum_j W(d_kj) R_j, with S_j the facility's ``supply`` (capacity,
    doctors, nurse_fte, beds or one) and P_k the demand.

    Returns
    -------
    units : pandas.DataFrame
        demand_id, region_id, access.
    regions : pandas.DataFrame
        region_id, region_name, demand_total, mean, sd (demand-weighted),
        min, max, gini (demand-weighted Gini coefficient).
    """
    keep, travel = [], _Travel(an)
    o = ffi.new("cov_access_options *")
    lib.cov_access_options_init(o)
    o.weight = _weight(an, weight)
    o.kinds, o.n_kinds = _kinds(kinds, keep)
    if supply not in SUPPLY:
        raise ValueError(f"supply must be one of {', '.join(SUPPLY)}, not {supply!r}")
    o.supply = SUPPLY[supply]
    o.threshold = travel.value(threshold)
    if bands is not None:
        limits = [travel.value(b, "band") for b in bands]
        arr, ptr = doubles(limits)
        keep.append(arr)
        o.band_limits, o.n_bands = ptr, len(limits)
        if weights is not None:
            if len(weights) != len(limits):
                raise ValueError(f"{len(weights)} weights for {len(limits)} bands")
            warr, wptr = doubles(weights)
            keep.append(warr)
            o.band_weights = wptr
    units, regions = ffi.new("cov_table **"), ffi.new("cov_table **")
    call(an.context, lib.cov_access_2sfca, an.c_analysis, travel.ptr, o, units, regions, returns="status",
         progress="accessibility")
    return _frame(an, units[0]), _frame(an, regions[0])


# -- demand weights -----------------------------------------------------------------------------

def jmap_weights(age0_14, age15_39, age40_64, age65_74, age75):
    """JMAP (日本医師会 地域医療情報システム) medical-demand weights:
    0.6 (0-14) + 0.4 (15-39) + 1.0 (40-64) + 2.3 (65-74) + 3.9 (75+).

    Examples
    --------
    >>> jmap_weights([10], [0], [0], [0], [1]).tolist()
    [9.9]
    """
    from .._ffi.core import context

    pop = np.column_stack([np.asarray(a, dtype=np.float64) for a in
                           (age0_14, age15_39, age40_64, age65_74, age75)])
    pop = np.ascontiguousarray(pop)
    out = np.empty(len(pop))
    call(context(), lib.cov_demand_jmap_weights, len(pop),
         ffi.cast("const double *", ffi.from_buffer(pop)),
         ffi.cast("double *", ffi.from_buffer(out)), returns="status")
    return out

