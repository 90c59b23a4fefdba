"""Bad numbers on the command line (issue 16): each gives one line on stderr naming the option
and exit 2, never argparse's "expected one argument" or a traceback; a budget larger than the
facilities is no limit."""
import subprocess
import sys

import pandas as pd
import pytest

import zaitaku


def run(*args):
    return subprocess.run([sys.executable, "-m", "zaitaku", *map(str, args)],
                          capture_output=True, text=True, env={"MPLBACKEND": "Agg",
                                                               "PATH": "/usr/bin:/bin"})


def inputs():
    s = zaitaku.sample_path
    return ["--regions", s("municipalities.shp"), "--region-id", "muni_code",
            "--region-name", "muni_name", "--regions-map", s("areas.csv"), "--map-from",
            "muni_code", "--map-to", "area_code", "--map-name", "area_name",
            "--facilities", s("facilities.csv"), "--kind-field", "kind", "--name-field", "name",
            "--demand", s("population_mesh1km.csv"), "--mesh-field", "mesh_code",
            "--weight-field", "total"]


def one_error(result, *needles):
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("zaitaku: error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.mark.parametrize("option, value, needle", [
    ("--radius", "-1km", "radius '-1km' must be greater than 0"),
    ("--radius", "-0.5km", "must be greater than 0"),
    ("--coastal-snap", "1000km", "coastal_snap_m (1e+06) must be between 0 and 100 km"),
])
def test_bad_numbers_name_the_option(tmp_path, option, value, needle):
    one_error(run("coverage", *inputs(), option, value, "--out", tmp_path / "o"), needle)


def test_huge_budget_is_no_limit(tmp_path):
    huge = run("plan", *inputs(), "--roles-field", "role", "--budget", 2 ** 64,
               "--out", tmp_path / "huge")
    assert huge.returncode == 0, huge.stderr
    assert "Traceback" not in huge.stderr
    every = run("plan", *inputs(), "--roles-field", "role", "--budget", 41,
                "--out", tmp_path / "all")
    assert every.returncode == 0, every.stderr
    a = pd.read_csv(tmp_path / "huge" / "plan.csv", dtype=str)
    b = pd.read_csv(tmp_path / "all" / "plan.csv", dtype=str)
    pd.testing.assert_frame_equal(a, b)  # 41 facilities: the same designation
