"""``zaitaku check`` and ``zaitaku plan`` run for real on the bundled
sample: outputs against the Python API (itself tested against brute force
and an exact MILP in test_planning.py), and bad input exiting 2 with one
line."""
import geopandas as gpd
import pandas as pd
import pandas.testing as pdt
import pytest

import zaitaku
from zaitaku import planning

from test_cli import run_module, run_script, sample


def args(command, out, *extra):
    return [command, "--regions", sample("municipalities.shp"), "--region-id", "muni_code",
            "--region-name", "muni_name", "--regions-map", sample("areas.csv"),
            "--map-from", "muni_code", "--map-to", "area_code", "--map-name", "area_name",
            "--facilities", sample("facilities.csv"), "--kind-field", "kind",
            "--name-field", "name", "--capacity-field", "capacity", "--roles-field", "role",
            "--h24-field", "h24", "--demand", sample("population_mesh1km.csv"),
            "--mesh-field", "mesh_code", "--weight-field", "total", "--out", out, *extra]


def test_check_writes_the_table_of_the_api(tmp_path):
    result = run_script(*args("check", tmp_path))
    assert result.returncode == 0, result.stderr
    got = pd.read_csv(tmp_path / "check.csv", dtype={"region_id": str})
    expect = planning.check(zaitaku.Analysis.sample())
    pdt.assert_frame_equal(got[expect.columns], expect, check_dtype=False)
    assert list(got.columns[len(expect.columns):]) == ["weight"]  # the reasons say the thresholds
    assert set(got.weight) == {"total"}
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["area", "lead", "hub"]
    assert "FAIL" in lines[3] and lines[3].startswith("島しょ")  # no clinic on the island
    clusters = gpd.read_file(tmp_path / "gap_clusters.shp")
    assert clusters.demand.is_monotonic_decreasing
    assert (tmp_path / "backup.csv").is_file()


def test_plan_writes_the_picks_of_the_api(tmp_path):
    result = run_module(*args("plan", tmp_path, "--budget", "3", "--sites", "2"))
    assert result.returncode == 0, result.stderr
    got = pd.read_csv(tmp_path / "plan.csv", dtype={"region_id": str}, keep_default_na=False)
    picks, regions = planning.designate(zaitaku.Analysis.sample(), budget=3)
    expect = pd.DataFrame(picks.drop(columns="geometry"))
    pdt.assert_frame_equal(got[expect.columns], expect, check_dtype=False)
    # read alone: what it counts, and where each pick is
    assert list(got.columns[len(expect.columns):]) == ["weight", "threshold", "lon", "lat"]
    assert set(got.weight) == {"total"} and set(got.threshold) == {"16 km"}
    assert got.lon.tolist() == picks.geometry.x.tolist()
    assert "9903" in result.stdout and "cross-region" in result.stdout
    assert len(gpd.read_file(tmp_path / "sites.shp")) == 2
    assert len(pd.read_csv(tmp_path / "plan_regions.csv")) == 3


@pytest.mark.parametrize("extra, needle", [
    (["--threshold", "30min"], "needs a road network"),
    (["--threshold", "far"], "is neither a distance nor a time"),
    (["--target-share", "1.5"], "--target-share 1.5 must be in (0, 1]"),
    (["--budget", "-1"], "must be >= 0"),
    # coverage's options that plan does not use are refused, not ignored
    (["--radius", "8km"], "does not use --radius: the reach of a doctor is --threshold"),
    (["--roads", "roads.shp", "--max-time", "30min"], "straight line only"),
])
def test_plan_bad_input_exits_2(tmp_path, extra, needle):
    result = run_module(*args("plan", tmp_path, *extra))
    assert result.returncode == 2
    errors = [l for l in result.stderr.splitlines() if l.startswith("zaitaku: error:")]
    assert len(errors) == 1 and needle in errors[0], result.stderr


def test_check_bad_role_names_line_and_field(tmp_path):
    bad = tmp_path / "f.csv"
    text = open(sample("facilities.csv"), encoding="utf-8").read().replace(
        "lead;hub", "boss", 1)
    bad.write_text(text, encoding="utf-8")
    a = args("check", tmp_path / "out")
    a[a.index("--facilities") + 1] = bad
    result = run_module(*a)
    assert result.returncode == 2
    assert "line 28, field role (facility H001)" in result.stderr, result.stderr


# ---------------------------------------------- 在支診 counts from statistics (issue 18)

def _counts_csv(path, rows, header=("region_id", "count"), encoding="utf-8"):
    import csv

    with open(path, "w", newline="", encoding=encoding) as f:
        csv.writer(f).writerows([header, *rows])
    return path


def test_check_home_care_counts_are_the_api_s(tmp_path):
    """--home-care-counts gives check.csv of planning.check(home_care_counts=):
    the island (no clinic located) passes on a count of 2, 9901 fails on
    '-' (none); 9902, not in the table, keeps the located facilities' count."""
    counts = _counts_csv(tmp_path / "zaishin.csv", [["9903", "2"], ["9901", "-"]],
                         header=("code", "在支診"), encoding="cp932")
    result = run_script(*args("check", tmp_path / "out", "--home-care-counts", counts,
                              "--counts-code", "code", "--counts-value", "在支診",
                              "--home-care-source", "医療施設調査 2023"))
    assert result.returncode == 0, result.stderr
    got = pd.read_csv(tmp_path / "out" / "check.csv", dtype={"region_id": str})
    expect = planning.check(zaitaku.Analysis.sample(), home_care_counts={"9903": 2, "9901": 0},
                            home_care_source="医療施設調査 2023")
    # the API's columns (check.csv may add labels saying what it counts)
    pdt.assert_frame_equal(got[list(expect.columns)], expect, check_dtype=False)
    plain = planning.check(zaitaku.Analysis.sample()).set_index(["region_id", "check"])
    home = got[got.check == "home_care"].set_index("region_id")
    assert home.loc["9903", "passed"] == 1 and home.loc["9901", "passed"] == 0
    assert "医療施設調査 2023" in home.loc["9903", "reason"]
    assert home.loc["9902", "value"] == plain.loc[("9902", "home_care"), "value"]
    assert plain.loc[("9903", "home_care"), "passed"] == 0  # what the counts changed


@pytest.mark.parametrize("rows, extra, needle", [
    ([["9903", "two"]], [], "line 2, column count: 'two' is not a count"),
    ([["9903", "1"], ["9903", "2"]], [], "line 3: region 9903 again"),
    ([["9999", "1"]], [], "no region '9999'"),
    ([["9903", "1"]], ["--counts-value", "n"], "no column 'n' (--counts-value"),
])
def test_check_bad_home_care_counts_exit_2(tmp_path, rows, extra, needle):
    counts = _counts_csv(tmp_path / "bad_counts.csv", rows)
    result = run_module(*args("check", tmp_path / "out", "--home-care-counts", counts, *extra))
    assert result.returncode == 2, result.stderr
    errors = [l for l in result.stderr.splitlines() if l.startswith("zaitaku: error:")]
    assert len(errors) == 1, result.stderr
    assert "bad_counts.csv" in errors[0] and needle in errors[0], errors[0]
    assert not (tmp_path / "out").exists()


def test_check_doctor_threshold_is_the_api_s(tmp_path):
    """--doctor-threshold (the API's and the report's name) is --threshold:
    check.csv of planning.check(doctor_threshold="8km"), which differs
    from the 16 km default's."""
    for option in ("--doctor-threshold", "--threshold"):
        result = run_module(*args("check", tmp_path / option, option, "8km", "--no-clusters"))
        assert result.returncode == 0, result.stderr
    got = pd.read_csv(tmp_path / "--doctor-threshold" / "check.csv", dtype={"region_id": str})
    pdt.assert_frame_equal(got, pd.read_csv(tmp_path / "--threshold" / "check.csv",
                                            dtype={"region_id": str}))
    expect = planning.check(zaitaku.Analysis.sample(), doctor_threshold="8km")
    pdt.assert_frame_equal(got[list(expect.columns)], expect, check_dtype=False)
    assert not expect.equals(planning.check(zaitaku.Analysis.sample()))


def test_plan_bound_and_exact(tmp_path):
    """plan_bound.csv is the API's bound_table; with --exact, the integer
    program's (its optimum: the objective equals the bound)."""
    result = run_module(*args("plan", tmp_path, "--budget", "3"))
    assert result.returncode == 0, result.stderr
    got = pd.read_csv(tmp_path / "plan_bound.csv").set_index("item").value
    picks, _ = planning.designate(zaitaku.Analysis.sample(), budget=3)
    b = picks.attrs["bound"]
    for key in ("covered", "covered_bound", "objective", "objective_bound", "gap_people"):
        assert float(got[key]) == pytest.approx(b[key], rel=1e-12)
    line = [l for l in result.stdout.splitlines() if l.startswith("Bound")][0]
    assert f"covers more than {b['covered_bound']:,.0f}" in line
    result = run_module(*args("plan", tmp_path / "x", "--budget", "3", "--exact",
                              "--time-limit", "30"))
    assert result.returncode == 0, result.stderr
    got = pd.read_csv(tmp_path / "x" / "plan_bound.csv").set_index("item").value
    assert got["method"] == "integer program (HiGHS)" and got["status"] == "optimal"
    assert float(got["objective"]) == pytest.approx(float(got["objective_bound"]), rel=1e-6)
    result = run_module(*args("plan", tmp_path / "y", "--budget", "3", "--no-bound"))
    assert result.returncode == 0 and not (tmp_path / "y" / "plan_bound.csv").exists()


def test_plan_robust_over_two_weights(tmp_path):
    """--robust total,age75: robust_scenarios.csv is planning.robust over
    the two weights of the sample's demand; robust_plan.csv its picks."""
    a = args("plan", tmp_path, "--budget", "3", "--weight-field", "age75",
             "--robust", "total,age75")
    result = run_module(*a)
    assert result.returncode == 0, result.stderr
    an = zaitaku.Analysis.sample()
    picks, table = planning.robust({"total": (an, "total"), "age75": (an, "age75")}, budget=3)
    got = pd.read_csv(tmp_path / "robust_scenarios.csv")
    assert got.scenario.tolist() == ["total", "age75"]
    for c in ("covered_robust", "covered_own", "share_of_own_best"):
        assert got[c].to_numpy() == pytest.approx(table[c].to_numpy(), rel=1e-12)
    plan = pd.read_csv(tmp_path / "robust_plan.csv", dtype={"region_id": str})
    assert plan.facility_id.tolist() == picks.facility_id.tolist()
    assert "Robust plan for total, age75" in result.stdout
    bad = run_module(*args("plan", tmp_path / "x", "--robust", "total,age85"))
    assert bad.returncode == 2 and "age85" in bad.stderr
