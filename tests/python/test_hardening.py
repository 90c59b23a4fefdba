"""Smaller cases of issue 16: file names that are not UTF-8, weights near the
largest double, and point-demand errors that name the file, line and field."""
import os
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

import zaitaku
from zaitaku import planning
from zaitaku.errors import InvalidValueError

SAMPLE = ["municipalities.shp", "municipalities.shx", "municipalities.dbf",
          "municipalities.prj", "municipalities.cpg", "facilities.csv",
          "population_mesh1km.csv"]
NOT_UTF8 = b"\xff\x8e\xe4"  # CP932 bytes of no valid UTF-8 reading


def _quiet():
    warnings.simplefilter("ignore", zaitaku.CoverageWarning)


# ---------------------------------------------------------------- file names

def _copy_sample(folder):
    """The sample files under names starting with bytes that are not UTF-8;
    returns that prefix as bytes."""
    prefix = os.fsencode(folder) + b"/" + NOT_UTF8
    for name in SAMPLE:
        shutil.copy(zaitaku.sample_path(name), prefix + b"_" + name.encode())
    return prefix


@pytest.mark.parametrize("as_bytes", [False, True], ids=["surrogateescape str", "bytes"])
def test_a_file_name_that_is_not_utf8_can_be_read_and_written(tmp_path, as_bytes):
    prefix = _copy_sample(tmp_path)
    name = (lambda n: prefix + b"_" + n.encode()) if as_bytes else \
        (lambda n: os.fsdecode(prefix + b"_" + n.encode()))
    with warnings.catch_warnings():
        _quiet()
        regions = zaitaku.read_regions(name("municipalities.shp"), "muni_code", "muni_name")
        fac = zaitaku.read_facilities(name("facilities.csv"), kind_field="kind")
        dem = zaitaku.read_demand(name("population_mesh1km.csv"), mesh_field="mesh_code",
                                  weight_fields=["total"])
        got = zaitaku.Analysis(regions, fac, dem, radius="16km")
        ref = zaitaku.Analysis(
            zaitaku.read_regions(zaitaku.sample_path("municipalities.shp"), "muni_code",
                                 "muni_name"),
            zaitaku.read_facilities(zaitaku.sample_path("facilities.csv"), kind_field="kind"),
            zaitaku.read_demand(zaitaku.sample_path("population_mesh1km.csv"),
                                mesh_field="mesh_code", weight_fields=["total"]),
            radius="16km")
        pd.testing.assert_frame_equal(got.coverage(area=False), ref.coverage(area=False))
        out = prefix + b"_out" if as_bytes else os.fsdecode(prefix + b"_out")
        written = got.save(out)
    assert fac.source == os.fsdecode(prefix + b"_facilities.csv")
    assert os.fsencode(written[0]) == prefix + b"_out/coverage.csv"
    # the bytes on disk name the folder, and its table is the reference's
    saved = pd.read_csv(os.fsdecode(prefix + b"_out/coverage.csv"), dtype={"region_id": str})
    assert saved.demand_covered.to_numpy() == pytest.approx(
        ref.coverage(area=False).demand_covered.to_numpy())


def test_a_path_holding_a_nul_is_refused(tmp_path):
    with pytest.raises(zaitaku.InvalidArgumentError, match="contains a NUL character"):
        zaitaku.read_facilities(str(tmp_path / "a\0b.csv"), kind_field="kind")


# ---------------------------------------------------------------- huge weights

def _sample_with_weight(value, row=5):
    cells = pd.read_csv(zaitaku.sample_path("population_mesh1km.csv"), dtype={"mesh_code": str})
    cells["total"] = cells["total"].astype(float)
    cells.loc[row, "total"] = value
    return cells


def _weighted_stats(x, p):
    """Mean, sd and Gini of x with weights p, from shares q = p / sum(p)
    (the Gini by its pairwise definition)."""
    q = np.asarray(p, float) / np.sum(p)
    x = np.asarray(x, float)
    mean = np.sum(q * x)
    sd = np.sqrt(np.sum(q * (x - mean) ** 2))
    gini = np.sum(q[:, None] * q[None, :] * np.abs(x[:, None] - x[None, :])) / (2 * mean)
    return mean, sd, gini


def test_a_weight_of_1_7e308_gives_finite_access_statistics():
    """One cell of weight 1.7e308 (a finite column total): the per-region
    mean, sd and Gini of 2SFCA access are finite and equal the pairwise
    definitions (they were NaN: products of two weights overflowed)."""
    cells = _sample_with_weight(1.7e308)
    s = zaitaku.Analysis.sample()
    with warnings.catch_warnings():
        _quiet()
        dem = zaitaku.read_demand(cells, mesh_field="mesh_code", weight_fields=["total"])
        an = zaitaku.Analysis(s.regions, s.facilities, dem)
        units, regions = planning.access(an)
        cov = an.coverage(area=False)
    demand = ["demand_total", "demand_covered", "share_covered", "demand_redundant",
              "share_redundant"]
    assert np.isfinite(cov[demand].to_numpy(float)).all()
    huge = units.region_id[units.demand_id == cells.mesh_code[5]].iloc[0]
    weights = dict(zip(cells.mesh_code, cells.total))
    for rid, rows in units[units.region_id != ""].groupby("region_id"):  # "": in no region
        row = regions.set_index("region_id").loc[rid]
        p = [weights[d] for d in rows.demand_id]
        assert np.isfinite([row["mean"], row["sd"]]).all(), rid
        if not (rows.access > 0).any():  # nobody reaches care: the Gini is undefined
            assert row["mean"] == 0 and np.isnan(row["gini"])
            continue
        mean, sd, gini = _weighted_stats(rows.access, p)
        assert row["mean"] == pytest.approx(mean, rel=1e-9)
        assert row["sd"] == pytest.approx(sd, rel=1e-6, abs=1e-300)
        assert row["gini"] == pytest.approx(gini, rel=1e-9, abs=1e-12)
    assert regions.set_index("region_id").loc[huge, "demand_total"] == pytest.approx(1.7e308)


def test_two_weights_of_1_7e308_are_an_error_naming_unit_and_field(tmp_path):
    cells = _sample_with_weight(1.7e308)
    cells.loc[7, "total"] = 1.7e308
    with pytest.raises(InvalidValueError) as info:
        zaitaku.read_demand(cells, mesh_field="mesh_code", weight_fields=["total"])
    assert str(info.value) == (f'mesh demand: unit {cells.mesh_code[7]}, weight "total" is '
                               "1.7e+308, and the column's total exceeds the largest number "
                               "(1.8e308); weights must add up to a finite total")
    path = tmp_path / "cells.csv"
    cells.to_csv(path, index=False)
    with pytest.raises(InvalidValueError) as info:
        zaitaku.read_demand(path, mesh_field="mesh_code", weight_fields=["total"])
    assert str(info.value) == (f"{path} line 9 column total: weight is 1.7e+308, and the "
                               "column's total exceeds the largest number (1.8e308); weights "
                               "must add up to a finite total")


def test_jmap_weights_that_overflow_are_an_error_naming_the_row():
    assert planning.jmap_weights([1], [1], [1], [1], [1]).tolist() == [0.6 + 0.4 + 1 + 2.3 + 3.9]
    with pytest.raises(InvalidValueError) as info:
        planning.jmap_weights([0, 0], [0, 0], [0, 0], [0, 0], [1.0, 1e308])
    assert str(info.value) == ("JMAP weights: row 1: the weighted demand (0.6 x 0-14 + 0.4 x "
                               "15-39 + 1.0 x 40-64 + 2.3 x 65-74 + 3.9 x 75+) exceeds the "
                               "largest number (1.8e308)")


# ---------------------------------------------------------------- point demand errors

def _points(rows):
    import geopandas as gpd
    from shapely.geometry import Point

    return gpd.GeoDataFrame({"id": [r[0] for r in rows], "w": [r[3] for r in rows]},
                            geometry=[Point(r[1], r[2]) for r in rows], crs="EPSG:6668")


GOOD = ("P1", 141.35, 43.06, 1.0)
BAD_POINTS = {
    "swapped": (("P2", 43.07, 141.36, 2.0), zaitaku.InvalidValueError,
                "{where} 1 (id P2) {position}: (43.07, 141.36) is not a valid lon/lat (they look "
                "swapped: give longitude first, latitude second)"),
    "negative": (("P2", 141.36, 43.07, -2.0), zaitaku.InvalidValueError,
                 "{where} 1 (id P2) field w: weight is -2; weights must be finite and >= 0"),
    "repeated": (("P1", 141.36, 43.07, 2.0), zaitaku.DuplicateIdError,
                 '{where} 1 field id: id "P1" repeats {unit} 0'),
    "empty id": (("", 141.36, 43.07, 2.0), zaitaku.InvalidValueError,
                 "{where} 1 field id: empty id"),
}


@pytest.mark.parametrize("case", list(BAD_POINTS))
def test_point_demand_errors_name_the_file_record_and_field(tmp_path, case):
    """Point demand read from a vector file (through geopandas) or given as
    a frame: the error names the file (or frame), the record (or row) and
    the field, where the C library alone can only say "point demand entry
    1"."""
    bad, error, text = BAD_POINTS[case]
    frame = _points([GOOD, bad])
    path = tmp_path / "points.geojson"
    frame.to_file(path, driver="GeoJSON")
    with pytest.raises(error) as info:
        zaitaku.read_demand(path, id_field="id", weight_fields=["w"])
    assert str(info.value) == text.format(where=f"{path} record", position="field geometry",
                                          unit="record")
    table = pd.DataFrame({"id": frame.id, "x": frame.geometry.x, "y": frame.geometry.y,
                          "w": frame.w})
    with pytest.raises(error) as info:
        zaitaku.read_demand(table, id_field="id", lon_field="x", lat_field="y",
                            weight_fields=["w"])
    assert str(info.value) == text.format(where="DataFrame row", position="columns x, y",
                                          unit="row")


def test_point_demand_csv_errors_name_the_columns_of_a_position(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("id,x,y\nP1,141.35,43.06\nP2,200,43.07\n", encoding="utf-8")
    with pytest.raises(zaitaku.InvalidValueError) as info:
        zaitaku.read_demand(path, id_field="id", lon_field="x", lat_field="y")
    assert str(info.value) == (f"{path} line 3 (id P2) columns x, y: (200, 43.07) is not a "
                               "valid lon/lat")
