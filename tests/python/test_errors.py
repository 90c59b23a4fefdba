"""Error paths: the right exception class (with its builtin mixin), .code and
.status kept, and a message that names the problem (file, line, field, the
columns there are). C warnings become zaitaku.CoverageWarning. A failing
progress callback cancels the C call. No input crashes the interpreter.
"""
import contextlib
import os
import shutil
import subprocess
import sys
import textwrap
import traceback
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import zaitaku
from zaitaku import sample_path
from zaitaku._libcoverage import lib

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def raises(cls, match=None):
    """pytest.raises, then the frames of the traceback cleared.

    zaitaku raises libcoverage errors from a frame that holds the exception
    (a reference cycle, exception -> traceback -> frame -> exception) and
    the C objects of the call. The cycle hands those objects' finalizers
    to the garbage collector, which runs them in any order and can free an
    analysis after its regions (see test_error_on_an_analysis_then_gc).
    Clearing the frames keeps this file's run clear of that bug, which the
    tests below show on their own, in subprocesses."""
    with pytest.raises(cls, match=match) as info:
        yield info
    traceback.clear_frames(info.tb)


# Inputs of the analyses made here, kept for the session (see test_api.py's
# _KEEP): a failing test then fails rather than crashing the run.
_KEEP = []


def keep(an):
    _KEEP.append((an.regions, an.facilities, an.demand, an._ctx))
    return an


def check_status(err, status):
    assert err.status == status
    assert err.code == getattr(lib, status)
    assert isinstance(err, zaitaku.CoverageError)


@pytest.fixture(scope="module")
def sample_copy(tmp_path_factory):
    """The sample files in a folder of their own (tests may damage copies)."""
    folder = tmp_path_factory.mktemp("sample")
    for p in zaitaku.sample_dir().iterdir():
        if p.is_file():
            shutil.copy(p, folder / p.name)
    return folder


def write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sample_lines(name):
    return sample_path(name).read_text(encoding="utf-8").splitlines()


# -- the hierarchy ---------------------------------------------------------------

@pytest.mark.parametrize("cls, builtin", [
    (zaitaku.InputFileError, OSError), (zaitaku.FieldError, LookupError),
    (zaitaku.MeshCodeError, ValueError), (zaitaku.CRSError, ValueError),
    (zaitaku.InvalidValueError, ValueError), (zaitaku.InvalidArgumentError, ValueError),
    (zaitaku.DuplicateIdError, ValueError), (zaitaku.EmptyInputError, ValueError),
    (zaitaku.FileFormatError, ValueError), (zaitaku.GeometryError, ValueError),
    (zaitaku.EncodingError, UnicodeError), (zaitaku.CancelledError, RuntimeError),
    (zaitaku.InternalError, RuntimeError)])
def test_hierarchy(cls, builtin):
    assert issubclass(cls, zaitaku.CoverageError) and issubclass(cls, builtin)


def test_mesh_duplicate_empty_are_value_errors():
    for cls in (zaitaku.MeshCodeError, zaitaku.DuplicateIdError, zaitaku.EmptyInputError):
        assert issubclass(cls, zaitaku.InvalidValueError)


# -- missing files ---------------------------------------------------------------

@pytest.mark.parametrize("reader, name", [
    (lambda p: zaitaku.read_regions(p, "muni_code"), "nowhere.shp"),
    (lambda p: zaitaku.read_regions(p, "muni_code"), "nowhere.geojson"),
    (lambda p: zaitaku.read_facilities(p), "nowhere.csv"),
    (lambda p: zaitaku.read_facilities(p), "nowhere.shp"),
    (lambda p: zaitaku.read_demand(p, mesh_field="mesh_code"), "nowhere.csv"),
    (lambda p: zaitaku.read_demand(p, id_field="id", lon_field="x", lat_field="y"), "nowhere.csv"),
])
def test_missing_file(tmp_path, reader, name):
    path = tmp_path / "sub dir" / name
    with raises(zaitaku.InputFileError) as info:
        reader(path)
    assert isinstance(info.value, OSError)
    check_status(info.value, "COV_ERR_IO")
    assert str(path) in str(info.value)


def test_missing_mapping_file(tmp_path):
    munis = zaitaku.read_regions(sample_path("municipalities.shp"), "muni_code")
    path = tmp_path / "areas.csv"
    with raises(OSError) as info:
        munis.dissolve(path, "muni_code", "area_code")
    check_status(info.value, "COV_ERR_IO")
    assert str(path) in str(info.value)


# -- wrong field names -------------------------------------------------------------

@pytest.mark.parametrize("reader, field, columns", [
    (lambda: zaitaku.read_regions(sample_path("municipalities.shp"), "code"), "code",
     ["muni_code", "muni_name", "area_code"]),
    (lambda: zaitaku.read_regions(sample_path("municipalities.shp"), "muni_code", "nam"), "nam",
     ["muni_code", "muni_name", "area_code"]),
    (lambda: zaitaku.read_facilities(sample_path("facilities.csv"), kind_field="type"), "type",
     ["facility_id", "name", "kind", "capacity", "lon", "lat"]),
    (lambda: zaitaku.read_facilities(sample_path("facilities.csv"), lon_field="x"), "x",
     ["facility_id", "lon", "lat"]),
    (lambda: zaitaku.read_demand(sample_path("population_mesh1km.csv"), mesh_field="code"), "code",
     ["mesh_code", "total", "age65", "age75"]),
    (lambda: zaitaku.read_demand(sample_path("population_mesh1km.csv"), mesh_field="mesh_code",
                                 weight_fields=["total", "age_65"]), "age_65",
     ["mesh_code", "total", "age65", "age75"]),
])
def test_wrong_field_in_a_file(reader, field, columns):
    with raises(zaitaku.FieldError) as info:
        reader()
    assert isinstance(info.value, LookupError)
    check_status(info.value, "COV_ERR_FIELD")
    msg = str(info.value)
    assert field in msg
    for c in columns:
        assert c in msg, c


@pytest.mark.parametrize("reader, field", [
    (lambda f, g: zaitaku.read_facilities(f, kind_field="type"), "type"),
    (lambda f, g: zaitaku.read_facilities(f, "id"), "id"),
    (lambda f, g: zaitaku.read_demand(f, id_field="facility_id", lon_field="lon", lat_field="lat",
                                      weight_fields=["wards"]), "wards"),
    (lambda f, g: zaitaku.read_regions(g, "code"), "code"),
])
def test_wrong_column_in_a_frame(reader, field):
    """DataFrames fail in Python, with a KeyError (a LookupError, as
    FieldError is) that names the column and lists those there are."""
    fac = pd.read_csv(sample_path("facilities.csv"), dtype={"facility_id": str})
    regions = gpd.read_file(sample_path("municipalities.shp"))
    with raises(LookupError) as info:
        reader(fac, regions)
    msg = str(info.value)
    assert repr(field) in msg or f'"{field}"' in msg
    frame = regions if "code" == field else fac
    for c in frame.columns:
        if c != "geometry":
            assert c in msg, c


# -- CRS ---------------------------------------------------------------------------

@pytest.mark.parametrize("crs", ["EPSG:999999", "not a crs", "+proj=nonsense"])
def test_bad_crs(crs):
    with raises(zaitaku.CRSError) as info:
        zaitaku.read_facilities(sample_path("facilities.csv"), crs=crs)
    assert isinstance(info.value, ValueError)
    check_status(info.value, "COV_ERR_CRS")
    assert crs in str(info.value)
    assert str(sample_path("facilities.csv")) in str(info.value)


def test_bad_analysis_crs():
    munis = zaitaku.read_regions(sample_path("municipalities.shp"), "muni_code")
    fac = zaitaku.read_facilities(sample_path("facilities.csv"))
    dem = zaitaku.read_demand(sample_path("population_mesh1km.csv"), mesh_field="mesh_code")
    with raises(zaitaku.CRSError, match="EPSG:6668") as info:  # lon/lat: no areas in degrees
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", zaitaku.CoverageWarning)
            zaitaku.Analysis(munis, fac, dem, crs="EPSG:6668")
    check_status(info.value, "COV_ERR_CRS")


def test_regions_in_metres_without_crs_are_refused():
    """A GeoDataFrame in metres that lost its CRS must not be read as
    lon/lat (the shapefile reader refuses such coordinates without a .prj).
    It is accepted today: its areas come out NaN and the analysis fails
    later with an unrelated CRS message (lat_0=4867419...)."""
    gdf = gpd.read_file(sample_path("municipalities.shp")).to_crs(3857)
    gdf = gdf.set_crs(None, allow_override=True)
    with raises(ValueError) as info:
        zaitaku.read_regions(gdf, "muni_code")
    assert "CRS" in str(info.value) or "lon/lat" in str(info.value)


# -- values in records ----------------------------------------------------------------

def test_swapped_lon_lat_in_a_csv(tmp_path):
    fac = pd.read_csv(sample_path("facilities.csv"), dtype={"facility_id": str})
    path = tmp_path / "swapped.csv"
    fac.rename(columns={"lon": "lat", "lat": "lon"}).to_csv(path, index=False)
    with raises(zaitaku.InvalidValueError) as info:
        zaitaku.read_facilities(path, kind_field="kind")
    check_status(info.value, "COV_ERR_VALUE")
    msg = str(info.value)
    assert "swapped" in msg and str(path) in msg and "line 2" in msg and "C001" in msg


def test_swapped_lon_lat_in_a_frame():
    fac = pd.read_csv(sample_path("facilities.csv"), dtype={"facility_id": str})
    with raises(ValueError, match="swapped") as info:
        zaitaku.read_facilities(fac.rename(columns={"lon": "lat", "lat": "lon"}))
    check_status(info.value, "COV_ERR_VALUE")


def test_malformed_mesh_code_names_code_and_line(tmp_path):
    lines = sample_lines("population_mesh1km.csv")
    lines[5] = "5936A441,4,2,1"
    path = write_lines(tmp_path / "mesh.csv", lines)
    with raises(zaitaku.MeshCodeError) as info:
        zaitaku.read_demand(path, mesh_field="mesh_code", weight_fields=["total"])
    assert isinstance(info.value, ValueError)
    check_status(info.value, "COV_ERR_MESH")
    msg = str(info.value)
    assert "5936A441" in msg and "line 6" in msg and str(path) in msg


@pytest.mark.parametrize("code", [
    "53A9", "53394", "5339461", "53398000",  # letter; 5 and 7 digits; 2nd-level digit 8
    "533946115", "5339461125",               # 1/2 and 1/4 digits must be 1-4
    "5380", "", " 5339", "5339.0"])          # 1st-level lon digits 00-79; no padding
def test_malformed_mesh_codes(code):
    with raises(zaitaku.MeshCodeError) as info:
        zaitaku.decode_mesh(code)
    check_status(info.value, "COV_ERR_MESH")
    assert f'"{code}"' in str(info.value)


def test_mesh_code_with_a_nul_is_refused():
    """A Python string is passed to C as bytes up to its first NUL, so
    "5339\\x0046" decodes as "5339" instead of being refused."""
    with raises(ValueError):
        zaitaku.decode_mesh("5339\x0046")


def test_malformed_mesh_code_in_a_frame():
    frame = pd.DataFrame({"m": ["59365397", "5936544", "59365399"], "w": [1.0, 2.0, 3.0]})
    with raises(zaitaku.MeshCodeError) as info:
        zaitaku.read_demand(frame, mesh_field="m", weight_fields=["w"])
    assert "5936544" in str(info.value)


def test_negative_weight(tmp_path):
    lines = sample_lines("population_mesh1km.csv")
    code = lines[7].split(",")[0]
    lines[7] = f"{code},-4,2,1"
    path = write_lines(tmp_path / "neg.csv", lines)
    with raises(zaitaku.InvalidValueError) as info:
        zaitaku.read_demand(path, mesh_field="mesh_code", weight_fields=["total"])
    check_status(info.value, "COV_ERR_VALUE")
    msg = str(info.value)
    assert "-4" in msg and "line 8" in msg and "total" in msg and "negative" in msg
    frame = pd.DataFrame({"m": ["59365397", "59365398"], "w": [1.0, -2.5]})
    with raises(zaitaku.InvalidValueError, match="-2.5"):
        zaitaku.read_demand(frame, mesh_field="m", weight_fields=["w"])
    with raises(zaitaku.InvalidValueError):
        zaitaku.read_demand(frame.assign(w=[1.0, np.nan]), mesh_field="m", weight_fields=["w"])


def test_duplicate_facility_id_names_both_lines(tmp_path):
    lines = sample_lines("facilities.csv")
    path = write_lines(tmp_path / "dup.csv", lines + [lines[3]])
    with raises(zaitaku.DuplicateIdError) as info:
        zaitaku.read_facilities(path, kind_field="kind")
    check_status(info.value, "COV_ERR_DUPLICATE")
    msg = str(info.value)
    dup_id = lines[3].split(",")[0]
    assert dup_id in msg and f"line {len(lines) + 1}" in msg and "line 4" in msg


def test_duplicate_mesh_code():
    frame = pd.DataFrame({"m": ["59365397", "59365398", "59365397"]})
    with raises(zaitaku.DuplicateIdError, match="59365397"):
        zaitaku.read_demand(frame, mesh_field="m")


# -- radius and weight arguments ----------------------------------------------------

@pytest.fixture(scope="module")
def sample_analysis():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        return keep(zaitaku.Analysis.sample())


@pytest.mark.parametrize("radius", ["0km", "16 miles", -5, 0, "", "km", float("nan"), True])
def test_bad_radius(sample_analysis, radius):
    with raises(ValueError):
        zaitaku.metres(radius, "radius")
    with raises(ValueError, match="radius"):
        sample_analysis.coverage(radius=radius, area=False)
    with raises(ValueError, match="radius"):
        sample_analysis.reach(radius=radius)
    with raises(ValueError, match="radius"):
        zaitaku.Analysis.sample(radius=radius)


@pytest.mark.parametrize("radius, metres", [("16km", 16000.0), ("500 m", 500.0), (" 2.5km ", 2500.0),
                                            (250, 250.0), (1e3, 1000.0), ("1e3m", 1000.0),
                                            (np.float64(16000.0), 16000.0)])
def test_good_radius(radius, metres):
    assert zaitaku.metres(radius) == metres


def test_numpy_integer_radius():
    """A radius taken from a numpy array (np.int64) is a number of metres,
    as a Python int is; today it is refused as "not a distance"."""
    assert zaitaku.metres(np.int64(16000)) == 16000.0


def test_radius_beyond_the_library_limit(sample_analysis):
    with raises(zaitaku.InvalidArgumentError, match="1,000 km") as info:
        sample_analysis.coverage(radius="1001km", area=False)
    check_status(info.value, "COV_ERR_ARG")


def test_weight_column_not_present(sample_analysis):
    for call in (lambda: sample_analysis.coverage(weight="age_65", area=False),
                 lambda: sample_analysis.gaps(weight="age_65")):
        with raises(KeyError) as info:
            call()
        msg = str(info.value)
        assert "age_65" in msg
        for name in ("total", "age65", "age75"):
            assert name in msg


def test_weight_index_out_of_range(sample_analysis):
    with raises(zaitaku.InvalidArgumentError, match="weight column 7") as info:
        sample_analysis.coverage(weight=7, area=False)
    check_status(info.value, "COV_ERR_ARG")


def test_unknown_kind(sample_analysis):
    with raises(zaitaku.InvalidArgumentError, match="dentist"):
        sample_analysis.reach(kind="dentist")
    with raises(zaitaku.InvalidArgumentError, match="dentist"):
        sample_analysis.gaps(kind="dentist")
    with raises(ValueError, match="by"):
        sample_analysis.service_areas(by="kind")


# -- dissolve -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def munis():
    return zaitaku.read_regions(sample_path("municipalities.shp"), "muni_code", "muni_name")


def test_dissolve_mapping_file_missing_a_column(munis):
    for args in (("muni_code", "area_cd"), ("muni_cd", "area_code"),
                 ("muni_code", "area_code", "area_nm")):
        with raises(zaitaku.FieldError) as info:
            munis.dissolve(sample_path("areas.csv"), *args)
        check_status(info.value, "COV_ERR_FIELD")
        msg = str(info.value)
        missing = [a for a in args if a not in ("muni_code", "area_code")][0]
        assert missing in msg and str(sample_path("areas.csv")) in msg
        for c in ("muni_code", "area_code", "area_name"):
            assert c in msg


def test_dissolve_mapping_frame_missing_a_column(munis):
    mapping = pd.read_csv(sample_path("areas.csv"), dtype=str)
    with raises(LookupError) as info:
        munis.dissolve(mapping, "muni_code", "area_cd")
    msg = str(info.value)
    assert "area_cd" in msg
    for c in ("muni_code", "area_code", "area_name"):
        assert c in msg
    with raises(ValueError, match="from_field"):
        munis.dissolve(mapping)


def test_dissolve_strict_and_lenient(munis):
    with raises(zaitaku.InvalidValueError) as info:
        munis.dissolve({"99201": "A", "99202": "A"}, strict=True)
    check_status(info.value, "COV_ERR_VALUE")
    assert "99381" in str(info.value)
    with pytest.warns(zaitaku.CoverageWarning, match="99381") as record:
        areas = munis.dissolve({"99201": "A", "99202": "A"})
    assert areas.ids == ["A"]
    # the warning points at the caller (this file), not into zaitaku
    assert [w.filename for w in record if issubclass(w.category, zaitaku.CoverageWarning)] == [__file__]


# -- warnings -------------------------------------------------------------------------

def test_unassigned_cell_warns():
    with pytest.warns(zaitaku.CoverageWarning, match="60360234"):
        an = zaitaku.Analysis.sample()
    assert list(an.unassigned["demand_id"]) == ["60360234"]


def test_analysis_warning_points_at_the_caller():
    munis = zaitaku.read_regions(sample_path("municipalities.shp"), "muni_code")
    fac = zaitaku.read_facilities(sample_path("facilities.csv"))
    dem = zaitaku.read_demand(sample_path("population_mesh1km.csv"), mesh_field="mesh_code")
    with pytest.warns(zaitaku.CoverageWarning, match="60360234") as record:
        zaitaku.Analysis(munis, fac, dem)
    assert {w.filename for w in record} == {__file__}


def test_warnings_can_be_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error", zaitaku.CoverageWarning)
        with raises(zaitaku.CoverageWarning):
            zaitaku.Analysis.sample()


def test_no_warning_without_a_problem():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        an = zaitaku.Analysis.sample(coastal_snap="10km")  # the rock is 7.5 km out
    assert an.unassigned.empty


# -- cancellation through the progress callback -------------------------------------

class Stop(Exception):
    pass


@pytest.mark.parametrize("exc_type", [Stop, KeyboardInterrupt])
def test_exception_in_progress_callback_cancels(monkeypatch, exc_type):
    monkeypatch.setenv("ZAITAKU_PROGRESS", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an = keep(zaitaku.Analysis.sample())
        fresh = keep(zaitaku.Analysis.sample())
    expected = fresh.gaps()
    assert len(expected) > 2  # several progress reports if it ran to the end
    seen = []
    raised = exc_type("stop here")

    def update(self, fraction, stage):
        seen.append((fraction, stage))
        raise raised

    monkeypatch.setattr(zaitaku._ffi.core._Progress, "update", update)
    with raises(exc_type) as info:
        an.gaps()
    assert info.value is raised
    assert len(seen) == 1 and 0 < seen[0][0] < 1  # cancelled at the first report
    monkeypatch.undo()
    # the process lives on and the analysis still works, with nothing left
    # half-made from the cancelled call
    again = an.gaps()
    pd.testing.assert_frame_equal(again.drop(columns="geometry"), expected.drop(columns="geometry"))
    assert all(a.equals(b) for a, b in zip(again.geometry, expected.geometry))
    pd.testing.assert_frame_equal(an.coverage(), fresh.coverage())


def test_progress_off(monkeypatch):
    """ZAITAKU_PROGRESS=0: no progress object, so a broken one is never called."""
    monkeypatch.setenv("ZAITAKU_PROGRESS", "0")

    def update(self, fraction, stage):
        raise AssertionError("progress shown although turned off")

    monkeypatch.setattr(zaitaku._ffi.core._Progress, "update", update)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        assert len(zaitaku.Analysis.sample().gaps()) > 0


# -- nothing crashes the interpreter -------------------------------------------------

def run_python(script, cwd):
    """Runs a script in a fresh interpreter; returns (returncode, stdout, stderr)."""
    env = dict(os.environ, ZAITAKU_PROGRESS="0", PYTHONFAULTHANDLER="1")
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    return proc.returncode, proc.stdout, proc.stderr


HOSTILE = r'''
import sys, warnings
import numpy as np, pandas as pd, geopandas as gpd
import zaitaku
warnings.simplefilter("ignore")
folder = sys.argv[1] if len(sys.argv) > 1 else "."
def attempt(label, f):
    try:
        result = f()
        print(label, "OK", len(result))
    except Exception as e:
        print(label, type(e).__name__)
    sys.stdout.flush()
fac = pd.read_csv(zaitaku.sample_path("facilities.csv"), dtype={"facility_id": str})
attempt("empty_csv_facilities", lambda: zaitaku.read_facilities("empty.csv"))
attempt("empty_csv_demand", lambda: zaitaku.read_demand("empty.csv", mesh_field="mesh_code"))
attempt("header_only_facilities", lambda: zaitaku.read_facilities("header_fac.csv", kind_field="kind"))
attempt("header_only_demand", lambda: zaitaku.read_demand("header_dem.csv", mesh_field="mesh_code",
                                                          weight_fields=["total"]))
attempt("binary_csv", lambda: zaitaku.read_facilities("binary.csv"))
for part in ("shp", "shx", "dbf"):
    attempt("truncated_" + part, lambda: zaitaku.read_regions(f"trunc_{part}/m.shp", "muni_code"))
attempt("nan_lon_frame", lambda: zaitaku.read_facilities(fac.assign(lon=[np.nan] + list(fac.lon[1:]))))
attempt("inf_lat_frame", lambda: zaitaku.read_facilities(fac.assign(lat=[np.inf] + list(fac.lat[1:]))))
attempt("nan_point_demand", lambda: zaitaku.read_demand(
    pd.DataFrame({"id": ["a", "b"], "lon": [137.0, np.nan], "lat": [40.0, 40.0]}),
    id_field="id", lon_field="lon", lat_field="lat"))
attempt("empty_gdf_regions", lambda: zaitaku.read_regions(
    gpd.GeoDataFrame({"id": []}, geometry=[], crs=6668), "id"))
attempt("none_geometry_regions", lambda: zaitaku.read_regions(
    gpd.GeoDataFrame({"id": ["a"]}, geometry=[None], crs=6668), "id"))
attempt("empty_gdf_facilities", lambda: zaitaku.read_facilities(
    gpd.GeoDataFrame({"facility_id": []}, geometry=[], crs=6668)))
attempt("empty_frame_demand", lambda: zaitaku.read_demand(pd.DataFrame({"m": []}), mesh_field="m"))
# accepted empty inputs must also be safe to analyse
regions = zaitaku.read_regions(zaitaku.sample_path("municipalities.shp"), "muni_code")
dem = zaitaku.read_demand(zaitaku.sample_path("population_mesh1km.csv"), mesh_field="mesh_code")
no_fac = zaitaku.read_facilities(gpd.GeoDataFrame({"facility_id": []}, geometry=[], crs=6668))
no_dem = zaitaku.read_demand(pd.DataFrame({"m": []}), mesh_field="m")
fac_ok = zaitaku.read_facilities(zaitaku.sample_path("facilities.csv"), kind_field="kind")
for label, f, d in (("no_facilities", no_fac, dem), ("no_demand", fac_ok, no_dem),
                    ("nothing", no_fac, no_dem)):
    an = zaitaku.Analysis(regions, f, d)
    for method in ("reach", "coverage", "gaps", "service_areas", "assignment"):
        attempt(f"{label}_{method}", getattr(an, method))
    del an
print("END")
'''


def test_hostile_inputs_never_crash(sample_copy, tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "header_fac.csv").write_text("facility_id,name,kind,capacity,lon,lat\n")
    (tmp_path / "header_dem.csv").write_text("mesh_code,total\n")
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 8)
    for part in ("shp", "shx", "dbf"):
        folder = tmp_path / f"trunc_{part}"
        folder.mkdir()
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            shutil.copy(sample_copy / f"municipalities.{ext}", folder / f"m.{ext}")
        with open(folder / f"m.{part}", "r+b") as f:
            f.truncate(100)
    code, out, err = run_python(HOSTILE, tmp_path)
    assert code == 0, f"exit status {code}\n{out}\n{err[-3000:]}"
    got = dict(line.split(" ", 1) for line in out.splitlines() if line != "END")
    assert out.rstrip().endswith("END")
    expected_errors = {
        "empty_csv_facilities": "EmptyInputError", "empty_csv_demand": "EmptyInputError",
        "truncated_shp": "FileFormatError", "truncated_shx": "FileFormatError",
        "truncated_dbf": "FileFormatError", "nan_lon_frame": "InvalidValueError",
        "inf_lat_frame": "InvalidValueError", "nan_point_demand": "InvalidValueError",
        "empty_gdf_regions": "EmptyInputError",
    }
    for label, cls in expected_errors.items():
        assert got[label] == cls, (label, got[label])
    # the rest either fail with a zaitaku error or give a (possibly empty) result
    names = {c for c in dir(zaitaku) if isinstance(getattr(zaitaku, c), type)}
    for label, result in got.items():
        assert result.startswith("OK") or result in names, (label, result)


# -- the garbage collector and the C objects' lifetimes ------------------------------

def test_error_on_an_analysis_then_gc():
    """A notebook: an analysis, a typo in a kind (a libcoverage error), the
    cell run again, garbage collection. The exception's frame cycle holds
    the analysis's C pointer, so the analysis is freed by the collector,
    whose finalizers run in no set order: cov_analysis_destroy then reads
    regions already freed (valgrind: invalid read in cov_analysis_destroy,
    analysis.c:285) and the interpreter dies with SIGSEGV."""
    code, out, err = run_python('''
        import gc, warnings, zaitaku
        from zaitaku import sample_path
        warnings.simplefilter("ignore")
        def make():
            return zaitaku.Analysis(
                zaitaku.read_regions(sample_path("municipalities.shp"), "muni_code", "muni_name"),
                zaitaku.read_facilities(sample_path("facilities.csv"), kind_field="kind"),
                zaitaku.read_demand(sample_path("population_mesh1km.csv"), mesh_field="mesh_code"))
        an = make()
        try:
            an.reach(kind="dentist")
        except ValueError as e:
            print("error:", e)
        an = make()
        gc.collect()
        print("survived")
    ''', ROOT)
    assert code == 0 and "survived" in out, f"exit status {code}\n{err[-2000:]}"


def test_analysis_in_a_reference_cycle():
    """Any reference cycle that holds an analysis (an attribute of an object
    that refers back, a list holding itself...) leaves the C objects to the
    collector: the analysis can be destroyed after its regions."""
    code, out, err = run_python('''
        import gc, warnings, zaitaku
        warnings.simplefilter("ignore")
        an = zaitaku.Analysis.sample()
        holder = [an]
        holder.append(holder)
        del an, holder
        gc.collect()
        print("survived")
    ''', ROOT)
    assert code == 0 and "survived" in out, f"exit status {code}\n{err[-2000:]}"


def test_clean_exit_with_module_level_objects():
    """A script with the inputs and the analysis as module globals and a
    function (a cycle with the module's namespace) must exit with status 0."""
    code, out, err = run_python('''
        import zaitaku, warnings
        from zaitaku import sample_path
        warnings.simplefilter("ignore")
        munis = zaitaku.read_regions(sample_path("municipalities.shp"), "muni_code", "muni_name")
        fac = zaitaku.read_facilities(sample_path("facilities.csv"), kind_field="kind")
        dem = zaitaku.read_demand(sample_path("population_mesh1km.csv"), mesh_field="mesh_code")
        an = zaitaku.Analysis(munis, fac, dem)
        cov = an.coverage()
        def summary():
            return an
        print("end of script")
    ''', ROOT)
    assert code == 0 and "end of script" in out, f"exit status {code}\n{err[-2000:]}"


# ---------------------------------------------------------------- kinds no facility has (issue 16)

def test_doctor_kinds_no_facility_has_are_an_error_naming_the_kinds():
    """A misspelt kind used to drop doctor_any from every output, exit 0."""
    import zaitaku

    kinds = pd.read_csv(zaitaku.sample_path("facilities.csv")).kind.unique()
    with pytest.raises(zaitaku.InvalidArgumentError) as err:
        zaitaku.Analysis.sample(doctor_kinds=["zaishinn"])
    text = str(err.value)
    assert text.startswith("doctor_kinds: no facility has kind 'zaishinn' (the facilities' kinds: ")
    assert all(k in text for k in kinds)
    with pytest.raises(zaitaku.InvalidArgumentError, match="nursing_kinds: no facility has kind 'nurse'"):
        zaitaku.Analysis.sample(nursing_kinds=["nurse"])


def test_some_doctor_kinds_unknown_warn_and_count_the_others():
    import zaitaku

    with pytest.warns(zaitaku.CoverageWarning, match="no facility has kind 'clinc'.*; counted: zaishin$"):
        an = zaitaku.Analysis.sample(doctor_kinds=["zaishin", "clinc"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        ref = zaitaku.Analysis.sample(doctor_kinds=["zaishin"])
    a, b = (x.coverage(area=False) for x in (an, ref))
    pd.testing.assert_frame_equal(a[a.kind == "doctor_any"], b[b.kind == "doctor_any"])


def test_cli_doctor_kinds_typo_exits_2_and_writes_nothing(tmp_path):
    import zaitaku

    s = zaitaku.sample_path
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "zaitaku", "coverage", "--regions", s("municipalities.shp"),
                        "--region-id", "muni_code", "--facilities", s("facilities.csv"),
                        "--kind-field", "kind", "--demand", s("population_mesh1km.csv"),
                        "--mesh-field", "mesh_code", "--doctor-kinds", "zaishinn", "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    assert "zaitaku: error: doctor_kinds: no facility has kind 'zaishinn'" in r.stderr
    assert not out.exists()
