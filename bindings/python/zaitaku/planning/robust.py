"""One designation for several scenarios at once (issue 20): 2025 and 2040
demand, summer and winter, straight line and roads. A plan chosen for one
scenario can be a poor one for another; :func:`robust` chooses the plan
that does best over all of them, beside each scenario's own best."""

import numpy as np
import pandas as pd

from . import exact as ex


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
    scenarios : dict of name -> Analysis
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
    from . import designate

    if objective not in ("worst", "weighted"):
        raise ValueError(f"objective must be 'worst' or 'weighted', not {objective!r}")
    names = list(scenarios)
    if not names:
        raise ValueError("robust needs at least one scenario")
    if weights is None:
        weights = [1.0] * len(names)
    elif isinstance(weights, dict):
        missing = [n for n in names if n not in weights]
        if missing:
            raise ValueError(f"weights: no weight for scenario {missing[0]!r}")
        weights = [float(weights[n]) for n in names]
    else:
        weights = [float(w) for w in weights]
    if len(weights) != len(names) or not all(w >= 0 and np.isfinite(w) for w in weights) \
            or not sum(weights) > 0:
        raise ValueError("weights: one finite weight >= 0 per scenario, not all 0")
    own, models = [], []
    for name in names:
        an = scenarios[name]
        picks, _ = designate(an, budget=budget, threshold=threshold, weight=weight,
                             exact=exact_own, time_limit=time_limit, **options)
        own.append(picks)
        models.append(_model(an, budget, threshold, weight, options))
    _check_same(names, models)
    base = models[0]
    ids = base.facility_ids
    sels = [np.isin(ids, p.facility_id.to_numpy()) for p in own]
    best = np.array([m.evaluate(s)[0] for m, s in zip(models, sels)])
    if not np.all(best > 0):
        bad = names[int(np.argmin(best))]
        raise ValueError(f"scenario {bad!r}: its own best plan covers no demand, so shares of "
                         "it are undefined (no demand within reach of any candidate?)")
    k = max(p.attrs["bound"]["budget"] for p in own)
    scales = np.asarray(weights) / best / (1.0 if objective == "worst" else sum(weights))

    def measure(sel):
        values = np.array([m.evaluate(sel)[0] for m in models]) * scales
        return values.min() if objective == "worst" else values.sum()

    start = max(sels, key=measure)
    sol = ex.solve(models, k, integer=True, time_limit=time_limit, start=start,
                   scales=scales, worst=objective == "worst")
    chosen = sol.selected if measure(sol.selected) > measure(start) else start
    # the plan's tables in the first scenario's terms: exactly the chosen picks
    picks, _ = designate(scenarios[names[0]], budget=k, threshold=threshold, weight=weight,
                         start=list(np.asarray(chosen) & (base.status == 1)), swap_passes=0,
                         bound=False, **{key: v for key, v in options.items()
                                         if key != "swap_passes"})
    rows = []
    for name, m, p, b, sel in zip(names, models, own, best, sels):
        value, covered = m.evaluate(chosen)
        new_own = set(p.facility_id[p.reason != "fixed"])
        rows.append({"scenario": name, "covered_robust": covered, "objective_robust": value,
                     "covered_own": p.attrs["bound"]["covered"], "objective_own": b,
                     "objective_own_bound": p.attrs["bound"]["objective_bound"],
                     "share_of_own_best": value / b,
                     "own_not_in_robust": ", ".join(sorted(new_own - set(picks.facility_id)))})
    picks.attrs["robust"] = {"objective": objective, "value": measure(chosen),
                             "bound": max(sol.bound, measure(chosen)), "status": sol.status,
                             "budget": k, "seconds": sol.seconds}
    return picks, pd.DataFrame(rows)


def _model(an, budget, threshold, weight, options):
    """The covering model of one scenario under designate()'s options."""
    from . import _plan_options, _Travel

    keep, travel = [], _Travel(an)
    names = ("target_share", "candidate_kinds", "enhanced_kinds", "enhanced_weight",
             "one_per_region", "swap_passes", "candidates", "fixed", "include_psychiatric_only")
    defaults = dict(target_share=None, candidate_kinds=None, enhanced_kinds=None,
                    enhanced_weight=1.1, one_per_region=True, swap_passes=10, candidates=None,
                    fixed=None, include_psychiatric_only=False)
    unknown = sorted(set(options) - set(names))
    if unknown:
        raise TypeError(f"robust() got an unexpected keyword argument {unknown[0]!r}")
    kw = {**defaults, **options}
    o = _plan_options(an, keep, travel, budget=budget, threshold=threshold, weight=weight,
                      start=None, **kw)
    return ex.CoveringModel.from_options(an, travel.ptr, o)


def _check_same(names, models):
    """The scenarios must designate among the same facilities."""
    base = models[0]
    for name, m in zip(names[1:], models[1:]):
        if m.facility_ids != base.facility_ids:
            diff = sorted(set(m.facility_ids) ^ set(base.facility_ids))
            what = f"facility {diff[0]!r} is in one and not the other" if diff else \
                "the facilities are in another order"
            raise ValueError(f"scenario {name!r} and {names[0]!r} must have the same "
                             f"facilities: {what}")
        if not np.array_equal(m.status, base.status) or \
                not np.array_equal(m.needs_lead, base.needs_lead):
            f = int(np.flatnonzero(m.status != base.status)[0]) \
                if not np.array_equal(m.status, base.status) else None
            what = (f"facility {base.facility_ids[f]!r} is a candidate or fixed in one and not "
                    "the other") if f is not None else "the regions that need a lead differ"
            raise ValueError(f"scenario {name!r} and {names[0]!r}: {what}")
