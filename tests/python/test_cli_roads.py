"""``zaitaku coverage --roads``: run for real on the bundled sample and a
synthetic road grid, compared with the Python API; bad road options exit
with status 2 and one line."""
import os
import subprocess
import sys
import warnings

import geopandas as gpd
import pandas as pd
import pandas.testing as pdt
import pytest

import zaitaku


def run(*args):
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("ZAITAKU_PROGRESS", None)
    return subprocess.run([sys.executable, "-m", "zaitaku", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=300)


def coverage_args(out, *extra):
    s = zaitaku.sample_path
    return ["coverage", "--regions", s("municipalities.shp"), "--region-id", "muni_code",
            "--region-name", "muni_name", "--regions-map", s("areas.csv"),
            "--map-from", "muni_code", "--map-to", "area_code", "--map-name", "area_name",
            "--facilities", s("facilities.csv"), "--kind-field", "kind",
            "--demand", s("population_mesh1km.csv"), "--mesh-field", "mesh_code",
            "--weight-field", "total", "--out", out, *extra]


@pytest.fixture(scope="module")
def roads(tmp_path_factory):
    land = gpd.read_file(zaitaku.sample_path("municipalities.shp"))
    path = tmp_path_factory.mktemp("roads") / "grid.shp"
    zaitaku.road_grid(land, "2km").to_file(path)
    return path


def one_line_error(result, *needles):
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("zaitaku: error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def test_coverage_along_roads_equals_the_python_api(roads, tmp_path):
    out = tmp_path / "out"
    result = run(*coverage_args(out, "--roads", roads, "--max-time", "30min", "--winter"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "30 min by road (winter)" in result.stdout
    for name in ("coverage.csv", "reach.csv", "gaps.shp", "service_areas.shp",
                 "unreachable.csv"):
        assert (out / name).is_file(), name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an = zaitaku.Analysis.sample()
        an = an.with_network(zaitaku.read_network(roads), metric="time", winter=True)
        want = an.coverage("30min")
        off = an.unreachable()
    got = pd.read_csv(out / "coverage.csv", dtype={"region_id": str, "region_name": str,
                                                   "kind": str})
    assert set(got.pop("threshold")) == {"30 min by road (winter)"}
    assert set(got.pop("weight")) == {"total"}
    pdt.assert_frame_equal(got, want, check_dtype=False)
    assert sorted(pd.read_csv(out / "unreachable.csv", dtype=str).demand_id) == \
        sorted(off.demand_id)
    reach = pd.read_csv(out / "reach.csv", dtype={"demand_id": str})
    assert {"time_s", "snap_distance_m"} <= set(reach.columns)


@pytest.mark.parametrize("extra, needles", [
    (["--max-time", "30min"], ["--max-time", "need(s) --roads"]),
    (["--winter"], ["--winter", "--roads"]),
    (["--roads", "ROADS"], ["--max-time", "--max-distance"]),
    (["--roads", "ROADS", "--max-time", "30 parsecs"], ["max time", "30 parsecs"]),
    (["--roads", "nowhere.shp", "--max-distance", "16km"], ["--roads nowhere.shp",
                                                             "does not exist"]),
    (["--roads", "ROADS", "--max-distance", "16km", "--class-field", "road_type"],
     ["road_type"]),
])
def test_bad_road_options_exit_2_with_one_line(roads, tmp_path, extra, needles):
    extra = [str(roads) if e == "ROADS" else e for e in extra]
    one_line_error(run(*coverage_args(tmp_path / "out", *extra)), *needles)


@pytest.mark.parametrize("threshold, option", [("30min", "--max-time"),
                                                ("8km", "--max-distance")])
def test_threshold_along_roads_is_max_time_or_distance(roads, tmp_path, threshold, option):
    """--threshold (the API's name) with --roads: its unit picks the option."""
    for name, given in (("alias", "--threshold"), ("option", option)):
        result = run(*coverage_args(tmp_path / name, "--roads", roads, given, threshold))
        assert result.returncode == 0, result.stderr
    for name in ("coverage.csv", "reach.csv", "unreachable.csv"):
        pdt.assert_frame_equal(pd.read_csv(tmp_path / "alias" / name, dtype=str),
                               pd.read_csv(tmp_path / "option" / name, dtype=str))


def test_threshold_and_max_time_exclude_each_other(roads, tmp_path):
    result = run(*coverage_args(tmp_path / "out", "--roads", roads, "--threshold", "30min",
                                "--max-time", "20min"))
    one_line_error(result, "--max-time", "not allowed with argument --threshold")
