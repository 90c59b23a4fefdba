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
    pdt.assert_frame_equal(got, expect, check_dtype=False)
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
    pdt.assert_frame_equal(got, pd.DataFrame(picks.drop(columns="geometry")),
                           check_dtype=False)
    assert "9903" in result.stdout and "cross-region" in result.stdout
    assert len(gpd.read_file(tmp_path / "sites.shp")) == 2
    assert len(pd.read_csv(tmp_path / "plan_regions.csv")) == 3


@pytest.mark.parametrize("extra, needle", [
    (["--threshold", "30min"], "needs a road network"),
    (["--threshold", "far"], "is neither a distance nor a time"),
    (["--target-share", "1.5"], "--target-share 1.5 must be in (0, 1]"),
    (["--budget", "-1"], "must be >= 0"),
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
