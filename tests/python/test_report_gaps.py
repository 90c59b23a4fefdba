"""The report's gap areas count the people C counts (issue 12, bug a):
gap_areas.csv, summed per region, equals libcoverage's gap table
(cov_analysis_gaps' demand_uncovered, an.gaps()) along the straight line and
along roads by driving time, where the threshold is in seconds, not metres."""
import warnings
from pathlib import Path

import pandas as pd
import pytest

import zaitaku
from zaitaku.report import build_analysis, load_config
from zaitaku.report import build_report_from_config

ROOT = Path(__file__).resolve().parents[2]
STRAIGHT = ROOT / "examples" / "sample_report.toml"
ROADS = ROOT / "examples" / "sample_report_roads.toml"


def _gap_areas_against_c(config, tmp_path):
    cfg = load_config(config)
    cfg["report"]["formats"] = ["csv"]
    cfg["report"]["region_pages"] = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        result = build_report_from_config(cfg, tmp_path / "out")
        an, _ = build_analysis(cfg, work_dir=tmp_path / "roads")
    kind = cfg["analysis"]["map_kind"]
    parts = pd.read_csv(result.csv["gap_areas"], dtype={"region_id": str})
    # C's own gap table, from an analysis built apart from the report's
    gaps = an.gaps(kind=kind, weight=cfg["demand"]["weight"]).set_index("region_id")
    assert len(gaps) > 0
    got = parts.groupby("region_id").demand_uncovered.sum()
    assert sorted(got.index) == sorted(gaps.index)
    for rid in gaps.index:
        assert got[rid] == pytest.approx(gaps.at[rid, "demand_uncovered"], abs=1e-6), rid
    return an, got, gaps


def test_gap_areas_equal_c_gaps_straight_line(tmp_path):
    an, got, gaps = _gap_areas_against_c(STRAIGHT, tmp_path)
    assert an.metric == "straight"


def test_gap_areas_equal_c_gaps_road_time(tmp_path):
    """Before the fix, 9901's parts held 272,342 people: distance_m (metres)
    compared with a 30-minute threshold (1800, in seconds)."""
    an, got, gaps = _gap_areas_against_c(ROADS, tmp_path)
    assert an.metric == "time"
    # the uncovered people of 9901 are a small part of its people, not most of them
    total = an.coverage(area=False)
    total = total[(total.region_id == "9901") & (total.kind == "doctor_and_nursing")]
    assert got["9901"] == pytest.approx(float(total.demand_total.iloc[0]
                                              - total.demand_covered.iloc[0]))
    assert got["9901"] < 0.05 * float(total.demand_total.iloc[0])
