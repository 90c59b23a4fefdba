"""Outputs: never written over an input; a failed save or CLI run leaves
no partial set of outputs (earlier outputs stay as they were); successful
runs leave no temporary files behind."""
import hashlib
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import zaitaku
from zaitaku import sample_path
from zaitaku._ffi.core import Table

pytestmark = pytest.mark.filterwarnings("ignore::zaitaku.CoverageWarning")
OUTPUT_FILES = ["coverage.csv", "reach.csv"] + [f"{stem}.{ext}" for stem in ("gaps", "service_areas")
                                                for ext in ("shp", "shx", "dbf", "prj", "cpg")]


def snapshot(folder):
    """Name -> SHA-256 of every file under folder (hidden ones included)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def copy_sample(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("municipalities.shp", "municipalities.shx", "municipalities.dbf",
                 "municipalities.prj", "municipalities.cpg", "areas.csv", "facilities.csv",
                 "population_mesh1km.csv"):
        shutil.copy(sample_path(name), folder / name)
    return folder


def analysis(folder, facilities="facilities.csv", demand="population_mesh1km.csv"):
    munis = zaitaku.read_regions(folder / "municipalities.shp", "muni_code", "muni_name")
    areas = munis.dissolve(folder / "areas.csv", "muni_code", "area_code", "area_name")
    fac = zaitaku.read_facilities(folder / facilities, kind_field="kind")
    dem = zaitaku.read_demand(folder / demand, mesh_field="mesh_code", weight_fields=["total"])
    return zaitaku.Analysis(areas, fac, dem)


def test_save_writes_the_set_and_no_temporary_files(tmp_path):
    folder = copy_sample(tmp_path / "data")
    written = analysis(folder).save(tmp_path / "out")
    assert [p.name for p in written] == ["coverage.csv", "reach.csv", "gaps.shp",
                                         "service_areas.shp"]
    assert sorted(snapshot(tmp_path / "out")) == sorted(OUTPUT_FILES)


@pytest.mark.parametrize("input_name", ["reach.csv", "gaps.dbf", "service_areas.SHP"])
def test_save_never_writes_over_an_input(tmp_path, input_name):
    """An input named like an output (here the demand CSV, or any file of a
    shapefile set read as facilities) is refused before anything is written."""
    folder = copy_sample(tmp_path / "data")
    if input_name.endswith(".csv"):
        os.replace(folder / "population_mesh1km.csv", folder / input_name)
        an = analysis(folder, demand=input_name)
    else:
        # a facility shapefile whose name is an output's: written by geopandas
        import geopandas as gpd
        import pandas as pd
        frame = pd.read_csv(folder / "facilities.csv").rename(columns={"facility_id": "fid"})
        gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.lon, frame.lat),
                               crs="EPSG:6668")
        stem = Path(input_name).stem
        gdf.to_file(folder / f"{stem}.shp")
        if input_name.endswith(".SHP"):
            for p in folder.glob(f"{stem}.*"):
                p.rename(p.with_suffix(p.suffix.upper()))
        munis = zaitaku.read_regions(folder / "municipalities.shp", "muni_code", "muni_name")
        areas = munis.dissolve(folder / "areas.csv", "muni_code", "area_code", "area_name")
        fac = zaitaku.read_facilities(folder / input_name.replace(".dbf", ".shp"),
                                      id_field="fid", kind_field="kind")
        dem = zaitaku.read_demand(folder / "population_mesh1km.csv", mesh_field="mesh_code")
        an = zaitaku.Analysis(areas, fac, dem)
    before = snapshot(folder)
    with pytest.raises(zaitaku.InputFileError, match="refusing to write") as info:
        an.save(folder)
    assert isinstance(info.value, OSError)
    assert "nothing was written" in str(info.value)
    assert snapshot(folder) == before  # inputs intact, no output, no temporary


def test_failed_save_leaves_earlier_outputs_untouched(tmp_path, monkeypatch):
    folder = copy_sample(tmp_path / "data")
    an = analysis(folder)
    an.save(tmp_path / "out", radius="16km")
    before = snapshot(tmp_path / "out")
    real = Table.write_shp
    calls = []

    def disk_full_on_second(self, path):
        calls.append(path)
        if len(calls) == 2:
            raise zaitaku.InputFileError(f"cannot write {path}: No space left on device")
        return real(self, path)

    monkeypatch.setattr(Table, "write_shp", disk_full_on_second)
    with pytest.raises(zaitaku.InputFileError, match="No space left"):
        an.save(tmp_path / "out", radius="4km")  # other figures than the first run
    assert len(calls) == 2
    assert snapshot(tmp_path / "out") == before  # not one file of the 4 km run


def test_failed_computation_writes_nothing(tmp_path):
    an = analysis(copy_sample(tmp_path / "data"))
    with pytest.raises(ValueError):
        an.save(tmp_path / "out", radius="2000km")
    assert snapshot(tmp_path / "out") == {}


def cli(*args):
    env = dict(os.environ, MPLBACKEND="Agg", ZAITAKU_PROGRESS="0")
    return subprocess.run([sys.executable, "-m", "zaitaku", *map(str, args)], capture_output=True,
                          text=True, env=env, timeout=300)


def cli_args(folder, out, demand="population_mesh1km.csv", radius="16km"):
    return ["coverage", "--regions", folder / "municipalities.shp", "--region-id", "muni_code",
            "--region-name", "muni_name", "--regions-map", folder / "areas.csv",
            "--map-from", "muni_code", "--map-to", "area_code", "--map-name", "area_name",
            "--facilities", folder / "facilities.csv", "--kind-field", "kind",
            "--demand", folder / demand, "--mesh-field", "mesh_code", "--weight-field", "total",
            "--radius", radius, "--out", out]


def test_cli_refuses_to_write_over_an_input(tmp_path):
    folder = copy_sample(tmp_path / "data")
    os.replace(folder / "population_mesh1km.csv", folder / "reach.csv")
    before = snapshot(folder)
    result = cli(*cli_args(folder, folder, demand="reach.csv"))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("zaitaku: error: refusing to write"), result.stderr
    assert str(folder / "reach.csv") in lines[-1]
    assert "Traceback" not in result.stderr
    assert snapshot(folder) == before


def test_cli_failure_keeps_earlier_outputs(tmp_path):
    folder = copy_sample(tmp_path / "data")
    out = tmp_path / "out"
    assert cli(*cli_args(folder, out)).returncode == 0
    before = snapshot(out)
    assert sorted(before) == sorted(OUTPUT_FILES)
    result = cli(*cli_args(folder, out, radius="5000km"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("zaitaku: error: ")
    assert snapshot(out) == before


# ---- the newer writers: report, check / plan, roads (one guard: zaitaku.outputs)

def planning_args(command, folder, out, facilities="facilities.csv", *extra):
    return [command, "--regions", folder / "municipalities.shp", "--region-id", "muni_code",
            "--region-name", "muni_name", "--regions-map", folder / "areas.csv",
            "--map-from", "muni_code", "--map-to", "area_code", "--map-name", "area_name",
            "--facilities", folder / facilities, "--kind-field", "kind",
            "--demand", folder / "population_mesh1km.csv", "--mesh-field", "mesh_code",
            "--weight-field", "total", "--out", out, *extra]


def test_report_refuses_to_write_over_an_input(tmp_path):
    """A demand CSV read from where the report writes tables/coverage.csv:
    refused, and not one file of the report appears."""
    folder = copy_sample(tmp_path / "data")
    (folder / "tables").mkdir()
    os.replace(folder / "population_mesh1km.csv", folder / "tables" / "coverage.csv")
    an = analysis(folder, demand="tables/coverage.csv")
    before = snapshot(folder)
    with pytest.raises(zaitaku.InputFileError, match="refusing to write") as info:
        an.report(folder / "report.html", formats=("csv",))
    assert str(folder / "tables" / "coverage.csv") in str(info.value)
    assert snapshot(folder) == before


def test_failed_report_leaves_the_previous_report_whole(tmp_path, monkeypatch):
    """The Excel writer fails after the CSV tables were written: the
    previous report's files are byte for byte as they were, and nothing
    of the failed run (not one new table, no temporary) is left."""
    from zaitaku.report import tables

    an = analysis(copy_sample(tmp_path / "data"))
    out = tmp_path / "out"
    an.report(out / "report.html", formats=("csv", "xlsx", "html"), radius="16km")
    before = snapshot(out)
    assert "tables.xlsx" in before and "report.html" in before
    assert any(name.startswith("tables/") for name in before)
    calls = []

    def disk_full(tables_, path):
        calls.append(path)
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(tables, "write_xlsx", disk_full)
    with pytest.raises(OSError, match="No space left"):
        an.report(out / "report.html", formats=("csv", "xlsx", "html"), radius="4km")
    assert len(calls) == 1
    assert snapshot(out) == before


@pytest.mark.parametrize("command, output", [("check", "check.csv"), ("plan", "plan.csv")])
def test_check_and_plan_refuse_to_write_over_an_input(tmp_path, command, output):
    folder = copy_sample(tmp_path / "data")
    os.replace(folder / "facilities.csv", folder / output)
    before = snapshot(folder)
    result = cli(*planning_args(command, folder, folder, output))
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("zaitaku: error: refusing to write"), result.stderr
    assert str(folder / output) in last
    assert "Traceback" not in result.stderr
    assert snapshot(folder) == before


def test_plan_failure_mid_way_keeps_earlier_outputs(tmp_path, monkeypatch, capsys):
    """A plan run whose last layer (sites.shp) fails to write, after
    plan.csv, plan.shp and the others were written: exit 2 and the earlier
    plan's files byte for byte as they were, nothing of the failed run."""
    from zaitaku.cli import planning as cli_planning
    from zaitaku.cli import main

    folder = copy_sample(tmp_path / "data")
    out = tmp_path / "out"
    assert main(list(map(str, planning_args("plan", folder, out, "facilities.csv",
                                            "--budget", "2")))) == 0
    before = snapshot(out)
    assert {"plan.csv", "plan.shp", "plan_regions.csv"} <= set(before)
    real, calls = cli_planning._write_layer, []

    def disk_full_on_sites(frame, path):
        calls.append(path.name)
        if path.name == "sites.shp":
            raise OSError(28, "No space left on device", str(path))
        return real(frame, path)

    monkeypatch.setattr(cli_planning, "_write_layer", disk_full_on_sites)
    status = main(list(map(str, planning_args("plan", folder, out, "facilities.csv",
                                              "--budget", "3", "--sites", "2"))))
    assert status == 2
    assert calls == ["plan.shp", "sites.shp"]
    assert "No space left on device" in capsys.readouterr().err
    assert snapshot(out) == before


def test_roads_cli_refuses_unreachable_csv_over_an_input(tmp_path):
    """unreachable.csv is one of the set: a demand CSV of that name in the
    output folder is refused before coverage.csv and the others are
    written."""
    import geopandas as gpd

    folder = copy_sample(tmp_path / "data")
    land = gpd.read_file(folder / "municipalities.shp")
    zaitaku.road_grid(land, "4km").to_file(folder / "grid.shp")
    os.replace(folder / "population_mesh1km.csv", folder / "unreachable.csv")
    before = snapshot(folder)
    result = cli(*cli_args(folder, folder, demand="unreachable.csv"),
                 "--roads", folder / "grid.shp", "--max-distance", "16km")
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("zaitaku: error: refusing to write"), result.stderr
    assert str(folder / "unreachable.csv") in last
    assert snapshot(folder) == before


# ---- the one single-file writer (maps, report tables): zaitaku.outputs.atomic_file

def test_atomic_file_replaces_whole_or_not_at_all(tmp_path):
    from zaitaku.outputs import atomic_file

    target = tmp_path / "t.csv"
    target.write_text("old\n")
    os.chmod(target, 0o600)

    def half_then_fail(tmp):
        Path(tmp).write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_file(target, half_then_fail)
    assert target.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]
    # the temporary name keeps the real suffix last (pandas' Excel writer checks it)
    seen = []
    atomic_file(target, lambda tmp: (seen.append(tmp), Path(tmp).write_text("new\n")))
    assert seen[0].endswith(".csv") and not Path(seen[0]).exists()
    assert target.read_text() == "new\n" and (target.stat().st_mode & 0o777) == 0o600
    fresh = atomic_file(tmp_path / "sub" / "n.txt", lambda tmp: Path(tmp).write_text("x"))
    assert fresh.read_text() == "x" and (fresh.stat().st_mode & 0o777) == 0o644


def test_atomic_file_refuses_an_input(tmp_path):
    from zaitaku.outputs import atomic_file

    src = tmp_path / "facilities.csv"
    shutil.copy(sample_path("facilities.csv"), src)
    fac = zaitaku.read_facilities(src, kind_field="kind")
    before = src.read_bytes()
    with pytest.raises(zaitaku.InputFileError, match="read as an input"):
        atomic_file(src, lambda tmp: Path(tmp).write_text("x"), ctx=fac._ctx)
    assert src.read_bytes() == before
