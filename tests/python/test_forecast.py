"""2040 demand (issue 13): forecast factors per area, demand scaled by them,
coverage of two years side by side.

Scaled coverage is checked against the closed form
``covered = sum over units of factor * weight * [covered]``, with
``[covered]`` found by brute force (pyproj's geodesic from every unit's point
to every facility of the kind) and the unit's region by shapely; the readers
against the csv module reading the real files (COV_SHARED_DATA, skipped when
absent) and against small files written in the published layouts.
"""
import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import zaitaku
from zaitaku import official
from zaitaku.analysis.forecast import NOTE_ALL, NOTE_MOVED, NOTE_SAME, factor_table
from realdata import DATA, real, quiet

FORECAST = DATA / "raw" / "mhlw_chiiki_iryo_kousou_2040_youkiti"
N03_SHP = DATA / "hokkaido_n03_shapefile_cp932" / "N03-22_01_220101.shp"
SAMPLE = Path(zaitaku.sample_dir())
RADIUS = 16000.0


@pytest.fixture(scope="module")
def sample():
    return quiet(zaitaku.Analysis.sample)


@pytest.fixture(scope="module")
def munis():
    return zaitaku.read_regions(SAMPLE / "municipalities.shp", "muni_code", "muni_name")


# ---------------------------------------------------------------- independent pieces

def mesh_centroid(code):
    """Centre of a JIS X 0410 3rd-level (1 km) cell, from the standard."""
    p, u, q, v, r, w = int(code[:2]), int(code[2:4]), int(code[4]), int(code[5]), \
        int(code[6]), int(code[7])
    lat = p / 1.5 + q / 12 + r / 120 + 1 / 240
    lon = u + 100 + v / 8 + w / 80 + 1 / 160
    return lon, lat


def covered_by_brute_force(lon, lat, fac_lon, fac_lat, radius=RADIUS):
    from pyproj import Geod

    geod = Geod(ellps="GRS80")
    out = np.zeros(len(lon), dtype=bool)
    for x, y in zip(fac_lon, fac_lat):
        _, _, d = geod.inv(np.full(len(lon), x), np.full(len(lon), y), lon, lat)
        out |= d <= radius
    return out


def sample_cells():
    """The sample's cells with weights, centroids and the nursing
    stations' cover, all without zaitaku."""
    cells = pd.read_csv(SAMPLE / "population_mesh1km.csv", dtype={"mesh_code": str})
    xy = np.array([mesh_centroid(c) for c in cells.mesh_code])
    cells["lon"], cells["lat"] = xy[:, 0], xy[:, 1]
    fac = pd.read_csv(SAMPLE / "facilities.csv")
    nurses = fac[fac.kind == "nursing"]
    cells["nursing"] = covered_by_brute_force(cells.lon.to_numpy(), cells.lat.to_numpy(),
                                              nurses.lon.to_numpy(), nurses.lat.to_numpy())
    return cells


def muni_of_cells(cells):
    """Each cell's municipality by shapely: the polygon holding its centroid,
    else (coastal cells) the nearest one, in metres of a local projection."""
    import geopandas as gpd
    import shapely

    gdf = gpd.read_file(SAMPLE / "municipalities.shp").to_crs(
        "+proj=laea +lat_0=40 +lon_0=137 +ellps=GRS80")
    pts = gpd.GeoSeries(gpd.points_from_xy(cells.lon, cells.lat), crs="EPSG:6668").to_crs(gdf.crs)
    out, dist = [], []
    for p in pts:
        d = shapely.distance(gdf.geometry.values, p)
        out.append(str(gdf.muni_code.iloc[int(np.argmin(d))]))
        dist.append(float(d.min()))
    return np.array(out), np.array(dist)


AREA_FACTORS = {"9901": 0.9, "9902": 1.25, "9903": 0.5}


# ---------------------------------------------------------------- scaling by area

def test_scaled_weights_are_the_factor_of_the_cells_area(sample):
    later = quiet(sample.scale_demand, AREA_FACTORS, weight="age75")
    a = sample.assignment()
    f = a.region_id.map(AREA_FACTORS).fillna(1.0).to_numpy()  # unassigned: kept
    assert np.array_equal(later.demand.weights("age75"), sample.demand.weights("age75") * f)
    # the other weights are as they were
    assert np.array_equal(later.demand.weights("total"), sample.demand.weights("total"))
    assert later.demand.weight_names == sample.demand.weight_names
    assert later.demand_factors.set_index("region_id").factor.to_dict() == AREA_FACTORS
    assert later.demand_factors.n_units.sum() == (a.region_id != "").sum()
    # the analysis it came from is unchanged, and the new one is alike
    assert sample.demand.weights("age75").sum() == pytest.approx(
        pd.read_csv(SAMPLE / "population_mesh1km.csv").age75.sum())
    assert later.radius_m == sample.radius_m and len(later.regions) == len(sample.regions)


def test_scaled_coverage_equals_the_closed_form(sample):
    cells = sample_cells()
    region = sample.assignment().region_id.to_numpy()
    later = quiet(sample.scale_demand, AREA_FACTORS)  # every weight
    cov = later.coverage(area=False)
    nursing = cov[cov.kind == "nursing"].set_index("region_id")
    for rid, f in AREA_FACTORS.items():
        inside = region == rid
        w = cells.total.to_numpy()[inside] * f
        assert nursing.demand_total[rid] == pytest.approx(w.sum(), rel=1e-12)
        assert nursing.demand_covered[rid] == pytest.approx(
            (w * cells.nursing.to_numpy()[inside]).sum(), rel=1e-12)
    # weight age75: its own closed form
    cov75 = later.coverage(weight="age75", area=False)
    n75 = cov75[cov75.kind == "nursing"].set_index("region_id")
    for rid, f in AREA_FACTORS.items():
        inside = region == rid
        expect = (cells.age75.to_numpy()[inside] * f * cells.nursing.to_numpy()[inside]).sum()
        assert n75.demand_covered[rid] == pytest.approx(expect, rel=1e-12)


def test_point_demand_scaled_equals_the_closed_form():
    """Generated case: two square regions, random weighted points, three
    facilities; factors 2 and 0.25."""
    import geopandas as gpd
    from shapely.geometry import box

    rng = np.random.default_rng(13)
    regions = gpd.GeoDataFrame({"id": ["A", "B"], "name": ["西", "東"]},
                               geometry=[box(140.0, 43.0, 140.5, 43.4),
                                         box(140.5, 43.0, 141.0, 43.4)], crs="EPSG:6668")
    n = 400
    pts = pd.DataFrame({"id": [f"p{i}" for i in range(n)],
                        "lon": rng.uniform(140.01, 140.99, n), "lat": rng.uniform(43.01, 43.39, n),
                        "w": rng.integers(0, 50, n).astype(float)})
    fac = pd.DataFrame({"facility_id": ["f1", "f2", "f3"], "kind": ["nursing"] * 3,
                        "lon": [140.1, 140.45, 140.9], "lat": [43.1, 43.3, 43.05]})
    an = zaitaku.Analysis(zaitaku.read_regions(regions, "id", "name"),
                          zaitaku.read_facilities(fac, kind_field="kind"),
                          zaitaku.read_demand(pts, id_field="id", lon_field="lon",
                                              lat_field="lat", weight_fields=["w"]),
                          radius="12km")
    factors = {"A": 2.0, "B": 0.25}
    later = an.scale_demand(factors)
    covered = covered_by_brute_force(pts.lon.to_numpy(), pts.lat.to_numpy(),
                                     fac.lon.to_numpy(), fac.lat.to_numpy(), 12000.0)
    region = np.where(pts.lon < 140.5, "A", "B")
    cov = later.coverage(area=False)
    row = cov[cov.kind == "nursing"].set_index("region_id")
    for rid, f in factors.items():
        m = region == rid
        assert row.demand_total[rid] == pytest.approx((f * pts.w[m]).sum(), rel=1e-12)
        assert row.demand_covered[rid] == pytest.approx((f * pts.w[m] * covered[m]).sum(),
                                                        rel=1e-12)
    # the points are where they were
    g0, g1 = an.demand.to_geodataframe(), later.demand.to_geodataframe()
    assert g0.demand_id.tolist() == g1.demand_id.tolist()
    assert np.array_equal(g0.geometry.x, g1.geometry.x)


def test_municipality_factors_equal_the_closed_form(sample, munis):
    cells = sample_cells()
    muni, dist = muni_of_cells(cells)
    region = sample.assignment().region_id.to_numpy()
    codes = sorted(set(munis.ids))
    factors = {c: 0.5 + 0.1 * i for i, c in enumerate(codes)}  # 0.5 .. 1.4, all distinct
    later = quiet(sample.scale_demand, pd.DataFrame({"muni_code": codes,
                                                     "factor": [factors[c] for c in codes]}),
                  by=munis)
    f = np.array([factors[m] for m in muni])
    f[region == ""] = 1.0  # in no area: kept, counted nowhere
    assert np.allclose(later.demand.weights("total"), cells.total.to_numpy() * f, rtol=1e-12)
    cov = later.coverage(area=False)
    row = cov[cov.kind == "nursing"].set_index("region_id")
    for rid in AREA_FACTORS:
        m = region == rid
        w = cells.total.to_numpy()[m] * f[m]
        assert row.demand_total[rid] == pytest.approx(w.sum(), rel=1e-12)
        assert row.demand_covered[rid] == pytest.approx((w * cells.nursing.to_numpy()[m]).sum(),
                                                        rel=1e-12)
    # within an area the municipalities grow apart: the area's share moves
    cmp = zaitaku.compare_coverage({"now": sample, "later": later})
    doc = cmp[(cmp.kind == "doctor_any") & (cmp.region_id == "9902")].iloc[0]
    before, after = sample.coverage(area=False), later.coverage(area=False)
    share = lambda c: c[(c.kind == "doctor_any") & (c.region_id == "9902")].share_covered.iloc[0]  # noqa: E731
    assert doc.change_share_covered == pytest.approx(share(after) - share(before), abs=1e-15)
    assert abs(doc.change_share_covered) > 1e-6 and doc.note == NOTE_MOVED
    assert later.demand_factors.region_id.tolist() == codes


def test_compare_coverage_per_area_factor_keeps_shares(sample):
    later = quiet(sample.scale_demand, AREA_FACTORS)
    a, b = sample.coverage(area=False), later.coverage(area=False)
    cmp = zaitaku.compare_coverage({"2025": a, "2040": b})
    regions = cmp[cmp.region_id != "all"]
    assert len(regions) == len(a)
    assert regions.note.eq(NOTE_SAME).all()
    assert np.nanmax(np.abs(regions.change_share_covered)) < 1e-12
    for _, r in regions.iterrows():
        f = AREA_FACTORS[r.region_id]
        assert r.factor == pytest.approx(f, rel=1e-12)
        unc = r.demand_total_2025 - r.demand_covered_2025
        assert r.demand_uncovered_2025 == unc
        assert r.change_demand_uncovered == pytest.approx((f - 1) * unc, rel=1e-9, abs=1e-6)
    # the prefecture: shares of sums, which do move
    for kind, r in cmp[cmp.region_id == "all"].set_index("kind").iterrows():
        k0, k1 = a[a.kind == kind], b[b.kind == kind]
        assert r.share_covered_2025 == pytest.approx(k0.demand_covered.sum() / k0.demand_total.sum())
        assert r.share_covered_2040 == pytest.approx(k1.demand_covered.sum() / k1.demand_total.sum())
        assert r.note == NOTE_ALL
    moved = cmp[(cmp.region_id == "all") & (cmp.kind == "nursing")].change_share_covered.iloc[0]
    assert abs(moved) > 1e-6  # areas grow at different rates
    # Analyses are accepted and give the same table
    again = zaitaku.compare_coverage({"2025": sample, "2040": later})
    pd.testing.assert_frame_equal(cmp, again)
    assert list(cmp.columns[:3]) == ["region_id", "region_name", "kind"]


def test_compare_coverage_refuses_other_tables(sample):
    a = sample.coverage(area=False)
    with pytest.raises(ValueError, match="at least two"):
        zaitaku.compare_coverage({"only": a})
    with pytest.raises(ValueError, match="region 9903"):
        zaitaku.compare_coverage({"a": a, "b": a[a.region_id != "9903"]})
    with pytest.raises(LookupError, match="demand_covered"):
        zaitaku.compare_coverage({"a": a, "b": a.drop(columns="demand_covered")})


def test_road_analysis_stays_on_its_roads(sample):
    roads = quiet(sample.with_network, zaitaku.sample_road_grid(), metric="time")
    later = quiet(roads.scale_demand, AREA_FACTORS)
    assert later.network is roads.network and later.metric == "time"
    assert later.road_options == roads.road_options
    a = roads.coverage("30min", area=False)
    b = later.coverage("30min", area=False)
    f = b.region_id.map(AREA_FACTORS).to_numpy()
    assert np.allclose(b.demand_covered, a.demand_covered * f, rtol=1e-12)
    assert sample.network is None  # nothing changed where it came from


# ---------------------------------------------------------------- errors

def test_a_region_without_a_factor_is_named(sample, munis):
    with pytest.raises(ValueError, match=r"region 9903: \d+ unit\(s\)") as e:
        sample.scale_demand({"9901": 1.0, "9902": 1.1})
    assert isinstance(e.value, zaitaku.InvalidValueError)
    later = quiet(sample.scale_demand, {"9901": 1.0, "9902": 1.1}, default=0.0)
    cov = later.coverage(area=False)
    assert (cov[cov.region_id == "9903"].demand_total == 0).all()
    first = munis.ids[0]
    with pytest.raises(ValueError, match=f"unit region {first}"):
        quiet(sample.scale_demand, {m: 1.0 for m in munis.ids[1:]}, by=munis)


def test_factor_tables(tmp_path):
    p = tmp_path / "f.csv"
    p.write_bytes("市町村コード,muni_code,factor\n札幌,01100,1.5\n函館,01202,0.8\n".encode("cp932"))
    assert factor_table(p) == {"01100": 1.5, "01202": 0.8}
    p.write_text("muni_code,factor\n01100,1.5\n01202,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"f.csv: line 3: field factor: 'x'"):
        factor_table(p)
    p.write_text("muni_code,factor\n01100,1.5\n\n01100,-1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 4: field factor: '-1'"):
        factor_table(p)
    p.write_text("muni_code,factor\n01100,1.5\n01202,1\n01100,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 4: field muni_code: 01100 given twice \(first on line 2\)"):
        factor_table(p)
    p.write_text("code,growth\n01100,1.5\n", encoding="utf-8")
    with pytest.raises(LookupError, match="no column 'factor'"):
        factor_table(p)
    assert factor_table(p, factor_field="growth") == {"01100": 1.5}
    p.write_text("name,factor\n札幌,1.5\n", encoding="utf-8")
    with pytest.raises(LookupError, match="no code column"):
        factor_table(p)
    with pytest.raises(OSError, match="cannot be read"):
        factor_table(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="holds numbers"):
        factor_table(pd.DataFrame({"area_code": [101], "factor": [1.0]}))
    with pytest.raises(ValueError, match=r"row 3: field factor: nan"):
        factor_table(pd.DataFrame({"area_code": ["0101", "0102"], "factor": [1.0, np.nan]}))
    with pytest.raises(TypeError):
        factor_table([1.0, 2.0])
    assert factor_table(pd.Series({"0101": 1.25})) == {"0101": 1.25}


# ---------------------------------------------------------------- the reader, on written files

HEAD_POP = "published_fy,pref_code,pref_name,area_code,area_name,population_2024,population_2040\n"
HEAD_FC = ("published_fy,pref_code,pref_name,area_code,area_name,demand_category,year,year_label,"
           "receipts_per_month\n")


def test_reader_rejects_and_names(tmp_path):
    p = tmp_path / "demand_population.csv"
    p.write_text(HEAD_POP + "R7,01,北海道,0101,南渡島,340005,259252\n"
                 "R7,01,北海道,0102,南檜山,,12386\nR7,01,北海道,0103,北渡島檜山,0,1\n"
                 "R7,02,青森県,0201,津軽地域,262359,203204\n", encoding="utf-8")
    f = quiet(official.read_demand_forecast, p, "北海道", measure="population")
    assert f.area_code.tolist() == ["0101"] and f.factor[0] == 259252 / 340005
    rep = f.attrs["report"]
    assert (rep.read, rep.kept, rep.n_rejected) == (3, 1, 2)
    rej = rep.rejected
    assert rej.line.tolist() == [3, 4] and rej.id.tolist() == ["0102", "0103"]
    assert rej.detail[0] == "population_2024"
    assert any("1 rows of other prefectures" in n for n in rep.notes)
    with pytest.warns(zaitaku.CoverageWarning, match="2 rejected"):
        official.read_demand_forecast(p, measure="population")
    with pytest.raises(LookupError, match="no home_visits figures"):
        official.read_demand_forecast(p)
    with pytest.raises(ValueError, match="2024 and 2040 only"):
        official.read_demand_forecast(p, measure="population", year=2035)
    with pytest.raises(ValueError, match="measure must be"):
        official.read_demand_forecast(p, measure="visits")
    p.write_text(HEAD_POP + "R7,01,北海道,0101,南渡島,1,2\nR7,01,北海道,0101,南渡島,1,2\n",
                 encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 3: area_code 0101 \(南渡島\) given twice"):
        official.read_demand_forecast(p, measure="population")
    with pytest.raises(OSError, match="no such file"):
        official.read_demand_forecast(tmp_path / "none.csv")


def test_reader_long_form(tmp_path):
    p = tmp_path / "demand_forecast.csv"
    rows = [("0101", "南渡島", "在宅（訪問診療）", 2024, "100"), ("0101", "南渡島", "在宅（訪問診療）", 2040, "150"),
            ("0101", "南渡島", "外来", 2024, "1000"), ("0101", "南渡島", "外来", 2040, "800"),
            ("0102", "南檜山", "在宅（訪問診療）", 2024, "abc"), ("0102", "南檜山", "在宅（訪問診療）", 2040, "7")]
    p.write_text(HEAD_FC + "".join(f"R7,01,北海道,{c},{n},{k},{y},{y}年度,{v}\n"
                                   for c, n, k, y, v in rows), encoding="utf-8")
    f = quiet(official.read_demand_forecast, tmp_path)  # the folder: its demand_forecast.csv
    assert f[["area_code", "base", "target", "factor"]].values.tolist() == [["0101", 100.0, 150.0, 1.5]]
    rej = f.attrs["report"].rejected
    assert rej.line.tolist() == [6] and rej.detail.tolist() == ["receipts_per_month"]
    out = official.read_demand_forecast(p, measure="outpatient")
    assert out.factor.tolist() == [0.8]
    assert (out.attrs["measure"], out.attrs["base_year"], out.attrs["year"]) == ("outpatient", 2024, 2040)
    with pytest.raises(ValueError, match=r"area_code 0101 \(南渡島\): no 外来 row for year 2035"):
        official.read_demand_forecast(p, measure="outpatient", year=2035)
    p.write_text(HEAD_FC + "R7,01,北海道,0101,南渡島,外来,2024,x,1\n"
                 "R7,01,北海道,0101,南渡島,外来,2024,x,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 3: area_code 0101, 外来 2024 given twice"):
        official.read_demand_forecast(p, measure="outpatient")
    p.write_text("area_code,year\n", encoding="utf-8")
    with pytest.raises(LookupError, match="no column 'area_name'"):
        official.read_demand_forecast(p)


def _workbook(path, sheets):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, body in sheets:
        ws = wb.create_sheet(name)
        for row in body:
            ws.append(row)
    wb.save(path)


def test_reader_reads_the_mhlw_layout(tmp_path):
    pytest.importorskip("openpyxl")
    years = ["2024年度", "2030年度（現状投影）", "2040年度（現状投影）"]
    body = [["将来の在宅（訪問診療）需要推計"], [], [None] * 5 + ["（件/月）"], [None] * 5 + years,
            ["都道府県", "構想区域コード", "構想区域名", "人口(2024年度)", "人口(2040年)"]
            + ["レセプト件数/月"] * 3,
            ["北海道", "0101", "南渡島", 340005, 259252, 4382.75, 4942.9, 5464.6],
            ["北海道", 102, "南檜山", 19091, 12386, 64.5, "-", 60.7],  # Excel turned it into 102
            ["青森県", "0201", "津軽地域", 262359, 203204, 2025.0, 2243.0, 2493.6]]
    path = tmp_path / "001728462.xlsx"
    _workbook(path, [("将来の在宅（訪問診療）需要推計", body)])
    f = official.read_demand_forecast(path, 1)
    assert f.area_code.tolist() == ["0101", "0102"]
    assert f.factor.tolist() == [5464.6 / 4382.75, 60.7 / 64.5]
    pop = official.read_demand_forecast(path, "北海道", measure="population")
    assert pop.factor.tolist() == [259252 / 340005, 12386 / 19091]
    bad = quiet(official.read_demand_forecast, path, 1, year=2030)
    rej = bad.attrs["report"].rejected
    assert rej.line.tolist() == [7] and rej.detail[0] == "column G (レセプト件数/月)"
    with pytest.raises(LookupError, match="no column for 2050"):
        official.read_demand_forecast(path, year=2050)
    with pytest.raises(ValueError, match="no sheet '将来の外来需要推計'"):
        official.read_demand_forecast(path, measure="outpatient")


# ---------------------------------------------------------------- the real files

def _csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("measure,year", [("home_visits", 2040), ("home_visits", 2030),
                                          ("outpatient", 2050)])
def test_real_receipt_factors_equal_the_csv_module(measure, year):
    path = real(FORECAST / "demand_forecast.csv")
    category = {"home_visits": "在宅（訪問診療）", "outpatient": "外来"}[measure]
    values = {}
    for r in _csv(path):
        if r["pref_code"] == "01" and r["demand_category"] == category:
            values.setdefault(r["area_code"], {})[int(r["year"])] = float(r["receipts_per_month"])
    f = official.read_demand_forecast(path, "北海道", measure=measure, year=year)
    assert len(f) == 21 and f.attrs["report"].n_rejected == 0
    got = dict(zip(f.area_code, f.factor))
    assert got == {c: v[year] / v[2024] for c, v in values.items()}
    print(f"\nHokkaido {measure} {year}/2024:", ", ".join(f"{c} {x:.3f}" for c, x in got.items()))


def test_real_population_factors_equal_the_csv_module():
    path = real(FORECAST / "demand_population.csv")
    rows = [r for r in _csv(path) if r["pref_code"] == "01"]
    f = official.read_demand_forecast(path, "北海道", measure="population")
    assert dict(zip(f.area_code, f.factor)) == {
        r["area_code"]: float(r["population_2040"]) / float(r["population_2024"]) for r in rows}
    everyone = official.read_demand_forecast(path, measure="population")
    assert len(everyone) == len(_csv(path)) == 339


@pytest.mark.parametrize("measure", ["home_visits", "outpatient", "population"])
def test_real_workbook_equals_the_csv(measure):
    pytest.importorskip("openpyxl")
    book = real(FORECAST / "R7_001728462_demand_forecast_by_area.xlsx")
    csv_name = "demand_population.csv" if measure == "population" else "demand_forecast.csv"
    a = official.read_demand_forecast(book, measure=measure)
    b = official.read_demand_forecast(FORECAST / csv_name, measure=measure)
    assert len(a) == 339
    cols = ["area_code", "area_name", "pref_code", "pref_name", "base", "target", "factor"]
    pd.testing.assert_frame_equal(a[cols], b[cols], check_exact=True)


def test_real_areas_match_hokkaido_regions():
    """Our 21 二次医療圏 (N03 dissolved through the bundled nesting table)
    carry the forecast's 構想区域 codes and names, one for one."""
    path = real(FORECAST / "demand_population.csv")
    munis = quiet(official.read_n03, real(N03_SHP))
    areas = quiet(official.regions_by, munis, "hokkaido", "iryoken2")
    ours = dict(zip(areas.ids, areas.names))
    f = official.read_demand_forecast(path, "北海道", measure="population")
    theirs = dict(zip(f.area_code, f.area_name))
    print("\n" + "\n".join(f"{c} {ours.get(c)} / {theirs.get(c)}" for c in sorted(ours)))
    assert ours == theirs and len(ours) == 21
    factors = dict(zip(f.area_code, f.factor))
    assert all(math.isfinite(x) and 0.4 < x < 1.1 for x in factors.values())


# ---------------------------------------------------------------- the command line

def cli_args(out, *extra):
    s = zaitaku.sample_path
    return ["coverage", "--regions", s("municipalities.shp"), "--region-id", "muni_code",
            "--region-name", "muni_name", "--regions-map", s("areas.csv"), "--map-from",
            "muni_code", "--map-to", "area_code", "--map-name", "area_name", "--facilities",
            s("facilities.csv"), "--kind-field", "kind", "--demand", s("population_mesh1km.csv"),
            "--mesh-field", "mesh_code", "--weight-field", "total", "--weight-field", "age75",
            "--weight", "age75", "--out", out, *map(str, extra)]


def run_cli(args, capsys):
    from zaitaku.cli import main

    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_writes_the_comparison(tmp_path, capsys, sample):
    factors = tmp_path / "factors.csv"
    factors.write_text("code,growth\n9901,0.9\n9902,1.25\n9903,0.5\n", encoding="utf-8")
    status, out, err = run_cli(cli_args(tmp_path / "out", "--demand-factors", factors,
                                        "--factors-code", "code", "--factors-value", "growth",
                                        "--scenario-names", "2025,2040"), capsys)
    assert status == 0, err
    assert "coverage_compare.csv" in out and "keeps its share" in out
    got = pd.read_csv(tmp_path / "out" / "coverage_compare.csv", dtype={"region_id": str},
                      keep_default_na=False, na_values=[""])
    later = quiet(sample.scale_demand, AREA_FACTORS)
    want = zaitaku.compare_coverage({"2025": sample, "2040": later}, weight="age75")
    # read alone: what both scenarios count
    assert set(got.pop("weight")) == {"age75"} and set(got.pop("threshold")) == {"16 km"}
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-12)
    used = pd.read_csv(tmp_path / "out" / "demand_factors.csv", dtype={"region_id": str})
    assert dict(zip(used.region_id, used.factor)) == AREA_FACTORS


def test_cli_forecast_file_and_municipality_factors(tmp_path, capsys, sample, munis):
    pop = tmp_path / "demand_population.csv"
    pop.write_text(HEAD_POP + "R7,99,サンプル県,9901,中央,1000,900\nR7,99,サンプル県,9902,北部,400,500\n"
                   "R7,99,サンプル県,9903,島しょ,100,50\n", encoding="utf-8")
    status, out, err = run_cli(cli_args(tmp_path / "a", "--forecast", pop,
                                        "--forecast-measure", "population"), capsys)
    assert status == 0, err
    got = pd.read_csv(tmp_path / "a" / "coverage_compare.csv", dtype={"region_id": str})
    assert "share_covered_2040" in got.columns
    regions = got[got.region_id != "all"]
    assert dict(zip(regions.region_id, regions.factor.round(12))) == AREA_FACTORS
    mf = tmp_path / "munis.csv"
    mf.write_text("muni_code,factor\n" + "".join(f"{m},{1 + i / 10}\n" for i, m in
                                                 enumerate(munis.ids)), encoding="utf-8")
    status, out, err = run_cli(cli_args(tmp_path / "b", "--demand-factors", mf,
                                        "--factors-by-input"), capsys)
    assert status == 0, err
    got = pd.read_csv(tmp_path / "b" / "demand_factors.csv", dtype={"region_id": str})
    assert got.region_id.tolist() == sorted(munis.ids)
    assert "keeps its share" not in out


@pytest.mark.parametrize("extra,needle", [
    (["--factors-default", "1"], "--factors-default need(s) --demand-factors or --forecast"),
    (["--demand-factors", "nowhere.csv"], "--demand-factors nowhere.csv: does not exist"),
])
def test_cli_bad_options(tmp_path, capsys, extra, needle):
    status, out, err = run_cli(cli_args(tmp_path / "o", *extra), capsys)
    assert status == 2 and needle in err and len(err.strip().splitlines()) == 1


def test_cli_bad_scenario_names(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        run_cli(cli_args(tmp_path / "o", "--scenario-names", "a"), capsys)
    assert e.value.code == 2 and "give two different names" in capsys.readouterr().err


def test_cli_missing_factor_is_one_line(tmp_path, capsys):
    f = tmp_path / "f.csv"
    f.write_text("area_code,factor\n9901,1\n9902,1\n", encoding="utf-8")
    status, out, err = run_cli(cli_args(tmp_path / "o", "--demand-factors", f), capsys)
    lines = [l for l in err.strip().splitlines() if "error" in l]
    assert status == 2 and len(lines) == 1 and "region 9903" in lines[0]
    assert not (tmp_path / "o" / "coverage.csv").exists()  # nothing half written


def test_real_hokkaido_2040_side_by_side():
    """Hokkaido's 21 areas, 2010 census 500 m mesh, 介護サービス情報公表's
    visiting-nurse stations: with home-visit factors per area, each area's
    covered and uncovered demand is its factor times today's (the closed
    form of one factor per area), and Hokkaido's share is the sum's."""
    mesh = real(DATA / "raw" / "census2010_mesh500m_hokkaido_colspan" /
                "population_mesh_third_half.csv")
    stations = real(DATA / "raw" / "visiting_nursing_stations_mhlw_kaigo_osawa" / "clinics_geo.json")
    munis = quiet(official.read_n03, real(N03_SHP))
    areas = quiet(official.regions_by, munis, "hokkaido", "iryoken2")
    fac = zaitaku.read_facilities(quiet(official.read_kaigo_facilities, stations, prefecture=1),
                                  kind_field="kind", name_field="name")
    people = zaitaku.read_demand(mesh, mesh_field="1", weight_fields=["2"], header=False)
    an = quiet(zaitaku.Analysis, areas, fac, people, radius="16km")
    f = official.read_demand_forecast(real(FORECAST / "demand_forecast.csv"), "北海道")
    later = an.scale_demand(f)
    cmp = zaitaku.compare_coverage({"2025": an, "2040": later})
    factor = dict(zip(f.area_code, f.factor))
    rows = cmp[(cmp.kind == "nursing") & (cmp.region_id != "all")]
    for _, r in rows.iterrows():
        assert r.demand_covered_2040 == pytest.approx(factor[r.region_id] * r.demand_covered_2025,
                                                      rel=1e-9)
        assert r.demand_uncovered_2040 == pytest.approx(
            factor[r.region_id] * r.demand_uncovered_2025, rel=1e-9, abs=1e-6)
        assert r.note == NOTE_SAME
    hok = cmp[(cmp.kind == "nursing") & (cmp.region_id == "all")].iloc[0]
    assert hok.share_covered_2040 == pytest.approx(
        rows.demand_covered_2040.sum() / rows.demand_total_2040.sum(), rel=1e-12)
    print(f"\nHokkaido, nursing within 16 km: {hok.share_covered_2025:.2%} -> "
          f"{hok.share_covered_2040:.2%}; not covered {hok.demand_uncovered_2025:,.0f} -> "
          f"{hok.demand_uncovered_2040:,.0f}")
