"""The command line, run for real: ``python -m zaitaku`` and the ``zaitaku``
console script, each in its own process, on the bundled sample."""
import csv
import os
import subprocess
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pandas.testing as pdt
import pytest

import zaitaku
from zaitaku import cli

ENTRY_POINT = Path(sys.executable).with_name("zaitaku")
COVERAGE_COLUMNS = ["region_id", "kind", "n_facilities", "demand_total", "demand_covered",
                    "share_covered", "area_km2", "area_covered_km2"]
REACH_COLUMNS = ["demand_id", "region_id", "kind", "nearest_id", "distance_m", "n_within"]
OUTPUTS = ["coverage.csv", "reach.csv", "gaps.shp", "service_areas.shp"]


def _env():
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("ZAITAKU_PROGRESS", None)  # the CLI decides: stderr is a pipe here
    return env


def run_module(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "zaitaku", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env=_env(), timeout=300)


def run_script(*args, cwd=None):
    if not ENTRY_POINT.exists():
        pytest.skip(f"no console script at {ENTRY_POINT}: install the package (pip install -e .)")
    return subprocess.run([str(ENTRY_POINT), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, env=_env(), timeout=300)


RUNNERS = {"python -m zaitaku": run_module, "zaitaku": run_script}


def sample(name):
    return zaitaku.sample_path(name)


def sample_coverage_args(out, radius="16km", **replace):
    """Arguments of ``zaitaku coverage`` on the sample files; replace maps an
    option (without dashes, underscores for hyphens) to another value."""
    options = {
        "regions": sample("municipalities.shp"), "region_id": "muni_code",
        "region_name": "muni_name", "regions_map": sample("areas.csv"),
        "map_from": "muni_code", "map_to": "area_code", "map_name": "area_name",
        "facilities": sample("facilities.csv"), "kind_field": "kind",
        "demand": sample("population_mesh1km.csv"), "mesh_field": "mesh_code",
        "weight_field": "total", "radius": radius, "out": out,
    }
    options.update(replace)
    args = ["coverage"]
    for key, value in options.items():
        if value is not None:
            args += ["--" + key.replace("_", "-"), value]
    return args


def read_coverage(path, weight="total", threshold="16 km"):
    """coverage.csv without the columns that say what it counts, which are
    checked here."""
    table = pd.read_csv(path, dtype={"region_id": str, "region_name": str, "kind": str})
    assert set(table.pop("weight")) == {weight}
    assert set(table.pop("threshold")) == {threshold}
    return table


def api_coverage(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        return zaitaku.Analysis.sample(**kwargs).coverage()


def assert_ok(result):
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "\r" not in result.stderr, "progress bars written to a pipe"


def assert_one_line_error(result, *needles):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("zaitaku: error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


# ---------------------------------------------------------------- demo

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "zaitaku-demo"
    result = run_module("demo", "--out", out)
    assert_ok(result)
    return out, result


def test_demo_writes_every_output(demo):
    out, result = demo
    for name in OUTPUTS + ["map.png"]:
        assert (out / name).is_file(), name
    for stem in ("gaps", "service_areas"):
        for suffix in (".shx", ".dbf", ".prj", ".cpg"):
            assert (out / stem).with_suffix(suffix).is_file(), stem + suffix
    assert (out / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for name in OUTPUTS + ["map.png"]:
        assert str(out / name) in result.stdout, name  # the list of files written


def test_demo_coverage_equals_the_python_api(demo):
    out, _ = demo
    written = read_coverage(out / "coverage.csv")
    expected = api_coverage()
    pdt.assert_frame_equal(written, expected, check_dtype=False)


def test_demo_prints_an_aligned_table_of_shares(demo):
    _, result = demo
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "doctor_and_nursing" in line)
    table = lines[start:start + 4]
    assert table[0].split()[-3:] == ["doctor_any", "nursing", "doctor_and_nursing"]
    rows = {line.split()[0]: line.split() for line in table[1:]}
    assert set(rows) == {"9901", "9902", "9903"}
    assert rows["9903"][1:] == ["島しょ在宅医療圏", "0.0", "100.0", "0.0"]
    # Japanese names are two columns wide: every line ends in the same column,
    # though the lines have different numbers of characters
    widths = {cli.display_width(line) for line in table}
    assert len(widths) == 1, table
    assert len({len(line) for line in table}) > 1


def test_demo_warnings_are_one_line_each(demo):
    _, result = demo
    warning_lines = [l for l in result.stderr.splitlines() if l.startswith("zaitaku: warning: ")]
    assert any("60360234" in l for l in warning_lines), result.stderr  # the lighthouse rock
    assert "CoverageWarning" not in result.stderr
    assert all(l.startswith("zaitaku: warning: ") for l in result.stderr.splitlines())


def test_demo_radius_and_entry_point(tmp_path):
    result = run_script("demo", "--out", tmp_path, "--radius", "500m", "--no-map")
    assert_ok(result)
    assert not (tmp_path / "map.png").exists()
    pdt.assert_frame_equal(read_coverage(tmp_path / "coverage.csv", threshold="500 m"),
                           api_coverage(radius="500m"), check_dtype=False)
    # --threshold is --radius by planning's word
    result = run_script("demo", "--out", tmp_path / "t", "--threshold", "500m", "--no-map")
    assert_ok(result)
    assert (tmp_path / "t" / "coverage.csv").read_bytes() == \
        (tmp_path / "coverage.csv").read_bytes()


# ---------------------------------------------------------------- coverage

@pytest.fixture(scope="module")
def coverage_16km(tmp_path_factory):
    out = tmp_path_factory.mktemp("cov16")
    result = run_script(*sample_coverage_args(out))
    assert_ok(result)
    return out, result


@pytest.fixture(scope="module")
def coverage_500m(tmp_path_factory):
    out = tmp_path_factory.mktemp("cov500")
    result = run_module(*sample_coverage_args(out, radius="500m"))
    assert_ok(result)
    return out, result


def test_coverage_writes_the_four_outputs(coverage_16km):
    out, result = coverage_16km
    for name in OUTPUTS:
        assert (out / name).is_file(), name
    summary = result.stdout.strip().splitlines()
    assert len(summary) == 4  # one line per output
    for line, name in zip(summary, OUTPUTS):
        assert line.startswith(str(out / name)), line
    cov = read_coverage(out / "coverage.csv")
    assert set(COVERAGE_COLUMNS) <= set(cov.columns)
    assert sorted(cov.region_id.unique()) == ["9901", "9902", "9903"]
    reach = pd.read_csv(out / "reach.csv", dtype={"demand_id": str, "region_id": str})
    assert set(REACH_COLUMNS) <= set(reach.columns)
    assert len(reach) == 2200 * 6  # every mesh cell x (every real kind + doctor_any)


def test_coverage_equals_the_python_api(coverage_16km):
    out, _ = coverage_16km
    pdt.assert_frame_equal(read_coverage(out / "coverage.csv"), api_coverage(),
                           check_dtype=False)


def test_coverage_island_has_a_nurse_and_no_clinic(coverage_16km):
    out, _ = coverage_16km
    cov = read_coverage(out / "coverage.csv").set_index(["region_id", "kind"])
    assert cov.loc[("9903", "nursing"), "share_covered"] == 1.0
    assert cov.loc[("9903", "zaishin"), "share_covered"] == 0.0


def test_coverage_shrinks_with_the_radius(coverage_16km, coverage_500m):
    big = read_coverage(coverage_16km[0] / "coverage.csv")
    small = read_coverage(coverage_500m[0] / "coverage.csv", threshold="500 m")
    both = big.merge(small, on=["region_id", "kind"], suffixes=("_16km", "_500m"))
    assert len(both) == len(big) == len(small) == 21
    assert (both.share_covered_500m <= both.share_covered_16km).all()
    reached = both[both.share_covered_16km > 0]
    assert (reached.share_covered_500m < reached.share_covered_16km).all()


def test_coverage_layers_read_back(coverage_16km):
    out, _ = coverage_16km
    for name in ("gaps.shp", "service_areas.shp"):
        layer = gpd.read_file(out / name)
        assert layer.crs.to_epsg() == 6668, name
        assert len(layer) > 0
        assert layer.geometry.is_valid.all(), name
        assert not layer.geometry.is_empty.any(), name
    gaps = gpd.read_file(out / "gaps.shp")
    island = gaps[(gaps.region_id == "9903") & (gaps.kind == "zaishin")]
    assert len(island) == 1  # no clinic reaches the island: all of it is a gap


def test_coverage_point_demand(tmp_path):
    # the mesh cells' centroids as points give the same coverage as the cells
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        cells = zaitaku.read_demand(sample("population_mesh1km.csv"), mesh_field="mesh_code",
                                    weight_fields=["total"]).to_geodataframe()
    bounds = cells.geometry.bounds
    points = pd.DataFrame({"id": cells.demand_id, "x": (bounds.minx + bounds.maxx) / 2,
                           "y": (bounds.miny + bounds.maxy) / 2, "total": cells.total})
    points.to_csv(tmp_path / "points.csv", index=False, float_format="%.12f")
    out = tmp_path / "out"
    result = run_module(*sample_coverage_args(out, mesh_field=None, demand=tmp_path / "points.csv"),
                        "--demand-id", "id", "--demand-lon", "x", "--demand-lat", "y")
    assert_ok(result)
    got = read_coverage(out / "coverage.csv")
    expected = api_coverage()
    pdt.assert_series_equal(got.demand_covered, expected.demand_covered, check_dtype=False)


# ---------------------------------------------------------------- errors

def test_missing_regions_file(tmp_path):
    missing = tmp_path / "nowhere" / "municipalities.shp"
    result = run_module(*sample_coverage_args(tmp_path / "out", regions=missing))
    assert_one_line_error(result, str(missing), "--regions")
    assert not (tmp_path / "out").exists()


def test_wrong_region_id_field(tmp_path):
    result = run_script(*sample_coverage_args(tmp_path / "out", region_id="muni_cod"))
    line = assert_one_line_error(result, "muni_cod")
    assert "muni_code" in line and "muni_name" in line  # the fields there are


@pytest.mark.parametrize("radius", ["16 miles", "0km", "km", "16"])
def test_malformed_radius(tmp_path, radius):
    result = run_module(*sample_coverage_args(tmp_path / "out", radius=radius))
    assert_one_line_error(result, "--radius", repr(radius))


def test_malformed_radius_of_demo(tmp_path):
    result = run_script("demo", "--out", tmp_path, "--radius", "16 miles")
    assert_one_line_error(result, "--radius", "16 miles")


def test_malformed_mesh_code(tmp_path):
    rows = list(csv.reader(open(sample("population_mesh1km.csv"), encoding="utf-8")))
    rows[6][0] = rows[6][0][:4] + "X" + rows[6][0][5:]  # line 7 of the file
    bad = tmp_path / "bad_mesh.csv"
    with open(bad, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    result = run_module(*sample_coverage_args(tmp_path / "out", demand=bad))
    assert_one_line_error(result, "bad_mesh.csv", "line 7", rows[6][0])


def test_swapped_lon_lat(tmp_path):
    frame = pd.read_csv(sample("facilities.csv"), dtype=str)
    frame["lon"], frame["lat"] = frame["lat"].copy(), frame["lon"].copy()
    swapped = tmp_path / "swapped.csv"
    frame.to_csv(swapped, index=False)
    result = run_script(*sample_coverage_args(tmp_path / "out", facilities=swapped))
    assert_one_line_error(result, "swapped.csv", "swapped")


@pytest.mark.parametrize("replace, needle", [
    ({"weight_field": "everyone"}, "everyone"),
    ({"map_to": "area"}, "area"),
    ({"kind_field": "type"}, "type"),
    ({"regions_map": "/no/such/areas.csv"}, "/no/such/areas.csv"),
])
def test_other_bad_inputs(tmp_path, replace, needle):
    result = run_module(*sample_coverage_args(tmp_path / "out", **replace))
    assert_one_line_error(result, needle)


def test_out_is_a_file(tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("not a folder")
    assert_one_line_error(run_module(*sample_coverage_args(taken)), str(taken))
    assert taken.read_text() == "not a folder"


def test_demand_needs_mesh_or_points(tmp_path):
    args = sample_coverage_args(tmp_path / "out")
    i = args.index("--mesh-field")
    del args[i:i + 2]
    assert_one_line_error(run_module(*args), "--mesh-field", "--demand-id")


@pytest.mark.parametrize("run", RUNNERS.values(), ids=RUNNERS.keys())
def test_usage_errors_are_one_line(run):
    assert_one_line_error(run(), "COMMAND")
    assert_one_line_error(run("frobnicate"), "frobnicate")
    assert_one_line_error(run("coverage", "--regions", "x.shp"), "--facilities", "--out")


def test_unexpected_exceptions_are_bugs(monkeypatch):
    # not bad input: the traceback must reach the user (exit 1)
    def broken(args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli.commands, "_run_demo", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        cli.main(["demo"])

    def internal(args):
        raise zaitaku.InternalError("an invariant broke", status="COV_ERR_INTERNAL")

    monkeypatch.setattr(cli.commands, "_run_demo", internal)
    with pytest.raises(zaitaku.InternalError):
        cli.main(["demo"])


# ---------------------------------------------------------------- help

@pytest.mark.parametrize("command", [[], ["demo"], ["coverage"]], ids=["top", "demo", "coverage"])
@pytest.mark.parametrize("run", RUNNERS.values(), ids=RUNNERS.keys())
def test_help(run, command):
    result = run(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: zaitaku")
    assert result.stderr == ""
    if command == ["coverage"]:
        for option in ("--regions", "--region-id", "--regions-map", "--map-from", "--map-to",
                       "--map-name", "--facilities", "--facility-id", "--kind-field",
                       "--lon-field", "--lat-field", "--demand", "--mesh-field",
                       "--weight-field", "--no-header", "--demand-id", "--demand-lon",
                       "--demand-lat", "--radius", "--crs", "--out"):
            assert option in result.stdout, option


# ---------------------------------------------------------------- helpers

def test_display_width():
    assert cli.display_width("abc") == 3
    assert cli.display_width("中央在宅医療圏") == 14
    assert cli.display_width("ｱｲｳ") == 3  # half-width katakana
    assert cli.display_width("が") == 2 and cli.display_width("か\u3099") == 2  # combining mark


@pytest.mark.parametrize("share, text", [(1.0, "100.0"), (0.0, "0.0"), (0.9997, ">99.9"),
                                         (0.0002, "<0.1"), (0.5, "50.0"), (float("nan"), "-"),
                                         (None, "-"), (0.96759, "96.8")])
def test_percent(share, text):
    assert cli.percent(share) == text


def test_warnings_print_on_one_line_once(capsys):
    show = cli.commands._show_warning(set())
    show("3 cells\nare outside", zaitaku.CoverageWarning, "x.py", 1)
    show("3 cells are outside", zaitaku.CoverageWarning, "x.py", 2)
    show("Glyph 12354 missing", UserWarning, "font.py", 3)
    assert capsys.readouterr().err.splitlines() == [
        "zaitaku: warning: 3 cells are outside",
        "zaitaku: warning: Glyph 12354 missing (UserWarning)"]


# ---------------------------------------------------------------- facilities as JSON (issue 18)

def _facility_records(lon="lg", lat="lt"):
    """The sample's facilities.csv as a list of records (read with the csv
    module), the coordinates under other names, as clinics_geo.json has
    them; numbers stay numbers, as JSON writes them."""
    with open(sample("facilities.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [{"facility_id": r["facility_id"], "name": r["name"], "kind": r["kind"],
             lon: float(r["lon"]), lat: float(r["lat"])} for r in rows]


def _write_json(path, records):
    import json

    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def test_coverage_reads_a_json_list_of_records_as_the_csv(tmp_path, coverage_16km):
    """The same facilities as a JSON list give the CSV run's reach and
    coverage, row for row."""
    stations = _write_json(tmp_path / "clinics_geo.json", _facility_records())
    result = run_script(*sample_coverage_args(tmp_path / "out", facilities=stations),
                        "--lon-field", "lg", "--lat-field", "lt")
    assert_ok(result)
    csv_out, _ = coverage_16km
    for name in ("reach.csv", "coverage.csv"):
        got = pd.read_csv(tmp_path / "out" / name, dtype=str)
        expected = pd.read_csv(csv_out / name, dtype=str)
        pdt.assert_frame_equal(got, expected)


def test_read_facilities_json_equals_csv(tmp_path):
    stations = _write_json(tmp_path / "stations.json", _facility_records("x", "y"))
    got = zaitaku.read_facilities(stations, kind_field="kind", name_field="name",
                                  lon_field="x", lat_field="y")
    expected = zaitaku.read_facilities(sample("facilities.csv"), kind_field="kind",
                                       name_field="name")
    got, expected = got.to_geodataframe(), expected.to_geodataframe()
    pdt.assert_frame_equal(got.drop(columns="geometry"), expected.drop(columns="geometry"))
    frame = pd.read_csv(sample("facilities.csv"))  # the coordinates as written
    assert (got.geometry.x - frame.lon).abs().max() < 1e-9
    assert (got.geometry.y - frame.lat).abs().max() < 1e-9


def test_a_geojson_named_json_is_still_a_vector_file(tmp_path):
    records = _facility_records()
    features = [{"type": "Feature", "properties": {"facility_id": r["facility_id"],
                                                   "kind": r["kind"]},
                 "geometry": {"type": "Point", "coordinates": [r["lg"], r["lt"]]}}
                for r in records]
    path = _write_json(tmp_path / "points.json", {"type": "FeatureCollection",
                                                  "features": features})
    fac = zaitaku.read_facilities(path, kind_field="kind").to_geodataframe()
    assert fac.facility_id.tolist() == [r["facility_id"] for r in records]


@pytest.mark.parametrize("damage, needles", [
    (lambda recs: recs[6].pop("lt"), ["record 7", "(id C007)", "field lt", "no coordinate"]),
    (lambda recs: recs[2].update(lg=None), ["record 3", "field lg", "no coordinate"]),
    (lambda recs: recs[4].update(lt="north"), ["record 5", "field lt", "'north'"]),
    (lambda recs: recs.insert(1, ["C099", 140.0, 40.0]), ["record 2", "expected an object"]),
])
def test_json_record_without_coordinates_is_named(tmp_path, damage, needles):
    records = _facility_records()
    damage(records)
    stations = _write_json(tmp_path / "bad_stations.json", records)
    result = run_module(*sample_coverage_args(tmp_path / "out", facilities=stations),
                        "--lon-field", "lg", "--lat-field", "lt")
    assert_one_line_error(result, "bad_stations.json", *needles)
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------- --threshold, the API's name (issue 18)

def test_coverage_threshold_is_the_radius(tmp_path):
    """--threshold 10km writes what --radius 10km writes, the API's coverage
    at 10 km."""
    for option in ("--threshold", "--radius"):
        args = sample_coverage_args(tmp_path / option.strip("-"), radius=None)
        assert_ok(run_module(*args, option, "10km"))
    for name in ("coverage.csv", "reach.csv"):
        pdt.assert_frame_equal(pd.read_csv(tmp_path / "threshold" / name, dtype=str),
                               pd.read_csv(tmp_path / "radius" / name, dtype=str))
    pdt.assert_frame_equal(read_coverage(tmp_path / "threshold" / "coverage.csv",
                                         threshold="10 km"),
                           api_coverage(radius="10km"), check_dtype=False)


@pytest.mark.parametrize("value, needle", [
    ("30min", "--threshold 30min is a time: it needs --roads"),
    ("far", "'far' is neither a distance"),
])
def test_coverage_bad_threshold(tmp_path, value, needle):
    result = run_module(*sample_coverage_args(tmp_path / "out"), "--threshold", value)
    assert_one_line_error(result, needle)
