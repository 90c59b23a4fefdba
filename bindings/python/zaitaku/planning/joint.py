"""One designation for several scenarios at once (issue 20): the joint
integer program of :func:`zaitaku.planning.robust` over the scenarios'
covering models, and the checks that they designate among the same
facilities. Nothing here imports zaitaku.planning: it gets the models and
the own plans made."""

import numpy as np

from . import exact as ex


def parse_weights(names, weights):
    """One finite weight >= 0 per scenario (a list or a dict by name;
    None: equal), not all 0."""
    if weights is None:
        return [1.0] * len(names)
    if isinstance(weights, dict):
        missing = [n for n in names if n not in weights]
        if missing:
            raise ValueError(f"weights: no weight for scenario {missing[0]!r}")
        weights = [weights[n] for n in names]
    weights = [float(w) for w in weights]
    if len(weights) != len(names) or not all(w >= 0 and np.isfinite(w) for w in weights) \
            or not sum(weights) > 0:
        raise ValueError("weights: one finite weight >= 0 per scenario, not all 0")
    return weights


def solve_robust(names, models, own, weights, objective, time_limit):
    """The common plan: returns (chosen mask, value of the measure, the
    solver's Solution, each scenario's own best objective, budget)."""
    check_same(names, models)
    base = models[0]
    sels = [base.selection(p.facility_id) for p in own]
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
    return chosen, measure(chosen), sol, best, k


def check_same(names, models):
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
