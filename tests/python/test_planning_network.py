"""Planning along roads: with a road network set on the analysis, the
designation, nursing and redundancy checks use road reach sets, while the
16 km rule and backup stay straight-line (planning.h). Checked against the
analysis's own road coverage (computed per kind group, independently of the
planning reach sets, and itself compared with networkx in
test_network_analysis.py) and against the straight-line results."""
import warnings

import numpy as np
import pandas as pd
import pytest

import zaitaku
from zaitaku import CoverageWarning, planning

HOME_CARE = ["zaishin", "enhanced_single", "enhanced_network", "zaibyo"]


@pytest.fixture(scope="module")
def pair():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        straight = zaitaku.Analysis.sample()
        road = zaitaku.Analysis.sample()
        road = road.with_network(zaitaku.sample_road_grid())
    return straight, road


def _checks(frame, check):
    return frame[frame.check == check].set_index("region_id")


def test_nursing_check_equals_road_coverage(pair):
    _, road = pair
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        checks = planning.check(road, nursing_threshold="30min", doctor_threshold="30min")
        cov = road.coverage("30min", area=False)
    nursing = cov[cov.kind == "nursing"].set_index("region_id")
    got = _checks(checks, "nursing")
    for region, row in nursing.iterrows():
        assert got.loc[region, "value"] == pytest.approx(row.share_covered, rel=1e-12)
        assert "30 min" in got.loc[region, "reason"]


def test_rule16_and_backup_stay_straight(pair):
    straight, road = pair
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        a = planning.check(straight)
        b = planning.check(road, nursing_threshold="30min", doctor_threshold="30min")
    for check in ("rule16", "rule16_exception", "backup"):
        assert np.array_equal(_checks(a, check).value, _checks(b, check).value), check
    assert "(straight line)" in _checks(b, "backup").reason.iloc[0]
    # the road nursing figure differs from the straight one somewhere: the
    # network really is used
    assert not np.array_equal(_checks(a, "nursing").value, _checks(b, "nursing").value)


def test_designating_every_candidate_covers_what_the_kinds_cover(pair):
    _, road = pair
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        picks, regions = planning.designate(road, budget=1000, threshold="30min",
                                            candidate_kinds=HOME_CARE)
        reach = road.reach(radius="30min")
    # independent: a unit is covered when some home-care kind reaches it
    within = reach[reach.kind.isin(HOME_CARE)].groupby("demand_id").n_within.sum() > 0
    pop = pd.read_csv(zaitaku.sample_path("population_mesh1km.csv"),
                      dtype={"mesh_code": str}).set_index("mesh_code").total
    units = reach[reach.kind == HOME_CARE[0]].set_index("demand_id").region_id
    hit = within[within].index
    covered = pop.loc[hit].groupby(units.loc[hit]).sum()
    got = regions.set_index("region_id").covered_after
    for region in got.index:
        assert got[region] == pytest.approx(covered.get(region, 0.0), rel=1e-12)


def test_mixed_metrics_are_refused(pair):
    _, road = pair
    with pytest.raises(ValueError, match="different things"):
        planning.check(road, doctor_threshold="16km", nursing_threshold="30min")


def test_time_threshold_without_network_is_refused(pair):
    straight, _ = pair
    with pytest.raises(ValueError, match="nursing_threshold: .*road network"):
        planning.check(straight, nursing_threshold="30min")
