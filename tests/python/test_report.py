"""The report (zaitaku.report): its tables against independent computations
and the sample's published figures, its files, and the HTML being
self-contained with the sections it must have."""
import re
import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")
openpyxl = pytest.importorskip("openpyxl")
from pyproj import Geod  # noqa: E402

import zaitaku  # noqa: E402
from zaitaku import report as zreport  # noqa: E402
from zaitaku.report import Section, build_report, register_section  # noqa: E402

SP = zaitaku.sample_path
# data/sample/README.md: population per home-care area, cells counted where their
# centroid lies (no coastal snapping)
PUBLISHED = {"9901": 281251, "9902": 35065, "9903": 1370}


def mesh_centre(code):
    """Centre (lon, lat) of a JIS X 0410 1 km (third-level) cell, from the
    code's digits alone."""
    code = str(code)
    p, r, t, u, v, w = int(code[0:2]), int(code[2:4]), int(code[4]), int(code[5]), \
        int(code[6]), int(code[7])
    lat = p / 1.5 + t * (5 / 60) + v * (30 / 3600) + 15 / 3600
    lon = 100 + r + u * (7.5 / 60) + w * (45 / 3600) + 22.5 / 3600
    return lon, lat


@pytest.fixture(scope="module")
def sample():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        return zaitaku.Analysis.sample(coastal_snap=0)


POLICY = pd.DataFrame({"region_id": ["9901", "9902", "9903"],
                       "check": ["lead", "lead", "hub"],
                       "passed": [True, False, False],
                       "reason": ["指定済み", "積極的役割を担う医療機関が未指定", "連携拠点が未指定"]})


@pytest.fixture(scope="module")
def built(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        result = sample.report(out / "index.html", title="サンプル県の報告", map_dpi=100,
                               html_dpi=80, extra_tables={"policy_checks": POLICY},
                               extra_sections=[Section("note", "補足", text="段落一\n\n段落二",
                                                       where="methods")])
    return out, result, result.html.read_text(encoding="utf-8")


# ---------------------------------------------------------------- numbers

def test_summary_population_matches_the_published_figures(built):
    _, result, _ = built
    summary = result.tables["summary"].set_index("region_id")
    assert {r: round(v) for r, v in summary["demand_total"].items()} == PUBLISHED


def test_nurse_share_matches_a_brute_force_geodesic_count(sample, built):
    _, result, _ = built
    geod = Geod(ellps="GRS80")
    fac = pd.read_csv(SP("facilities.csv"), dtype={"facility_id": str})
    nurses = fac[fac.kind == "nursing"]
    mesh = pd.read_csv(SP("population_mesh1km.csv"), dtype={"mesh_code": str})
    where = sample.assignment().set_index("demand_id")["region_id"]
    for rid in PUBLISHED:
        cells = mesh[mesh.mesh_code.map(where) == rid]
        covered = 0.0
        for code, total in zip(cells.mesh_code, cells.total):
            lon, lat = mesh_centre(code)
            d = geod.inv(np.full(len(nurses), lon), np.full(len(nurses), lat),
                         nurses.lon.to_numpy(), nurses.lat.to_numpy())[2]
            covered += total if d.min() <= 16000 else 0
        summary = result.tables["summary"].set_index("region_id")
        assert summary.at[rid, "share_covered:nursing"] == pytest.approx(
            covered / cells.total.sum(), abs=1e-12), rid


def test_facility_counts_match_a_point_in_polygon_count(built):
    import geopandas as gpd

    _, result, _ = built
    munis = gpd.read_file(SP("municipalities.shp"))
    areas = pd.read_csv(SP("areas.csv"), dtype=str)
    munis = munis.drop(columns=["area_code"], errors="ignore").merge(areas, on="muni_code")
    munis = munis.dissolve("area_code").reset_index()
    fac = pd.read_csv(SP("facilities.csv"), dtype={"facility_id": str})
    pts = gpd.GeoDataFrame(fac, geometry=gpd.points_from_xy(fac.lon, fac.lat), crs="EPSG:6668")
    joined = gpd.sjoin(pts, munis.to_crs("EPSG:6668")[["area_code", "geometry"]],
                       predicate="within")
    expected = joined.groupby(["area_code", "kind"]).size()
    table = result.tables["facilities_by_kind"].set_index("region_id")
    for (rid, kind), n in expected.items():
        assert table.at[rid, kind] == n, (rid, kind)
    assert table["total"].sum() == len(joined)
    assert (table.drop(columns=["region_name", "total"]).sum(axis=1) == table["total"]).all()


def test_gap_parts_add_up_to_the_gap_table(built):
    """Parts are cut from the gap polygons and their demand counted with
    geopandas; the gap table's demand comes from the C library."""
    _, result, _ = built
    parts, gaps = result.tables["gap_areas"], result.tables["gaps"]
    gaps = gaps[gaps.kind == "doctor_and_nursing"].set_index("region_id")
    for rid, group in parts.groupby("region_id"):
        assert group.demand_uncovered.sum() == pytest.approx(gaps.at[rid, "demand_uncovered"])
        assert group.area_km2.sum() == pytest.approx(gaps.at[rid, "area_km2"], rel=1e-3)
        assert list(group.gap_rank) == list(range(1, len(group) + 1))
        assert list(group.area_km2) == sorted(group.area_km2, reverse=True)
    # the island has no doctor: the whole island is one gap with all its people
    assert parts[parts.region_id == "9903"].demand_uncovered.sum() == PUBLISHED["9903"]


# ---------------------------------------------------------------- files

def test_csv_and_excel_hold_the_same_tables(built):
    out, result, _ = built
    assert set(result.csv) == set(result.tables)
    for key, path in result.csv.items():
        assert path.read_bytes()[:3] == b"\xef\xbb\xbf"  # BOM: Excel reads UTF-8
        back = pd.read_csv(path, encoding="utf-8-sig", dtype={"region_id": str})
        table = result.tables[key]
        assert list(back.columns) == [str(c) for c in table.columns]
        assert len(back) == len(table)
    book = openpyxl.load_workbook(result.xlsx)
    assert set(result.tables) <= set(book.sheetnames)
    sheet = book["coverage"]
    header = [c.value for c in sheet[1]]
    cov = result.tables["coverage"]
    j = header.index("share_covered")
    values = [row[j].value for row in sheet.iter_rows(min_row=2)]
    assert values == pytest.approx(list(cov["share_covered"]))
    assert sheet.cell(row=2, column=j + 1).number_format == "0.0%"
    assert "見出し" in [c.value for c in book["columns"][1]]


def test_maps_are_written_at_the_asked_resolution(built):
    from PIL import Image

    out, result, _ = built
    names = sorted(p.name for p in result.maps)
    assert names == sorted(f"{m}.{e}" for m in ("overview", "region_9901", "region_9902",
                                                  "region_9903") for e in ("png", "svg"))
    png = next(p for p in result.maps if p.name == "overview.png")
    with Image.open(png) as im:
        assert im.size[0] == 700  # 7 in at 100 dpi
        assert im.info["dpi"][0] == pytest.approx(100, abs=0.5)


# ---------------------------------------------------------------- HTML

def test_html_is_self_contained(built):
    _, _, page = built
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<script" not in page and "<link" not in page and "@import" not in page
    srcs = re.findall(r'<img[^>]*src="([^"]+)"', page)
    assert len(srcs) == 4  # overview and three regions
    assert all(s.startswith("data:image/png;base64,") for s in srcs)


def test_html_has_its_sections_and_print_css(built):
    _, _, page = built
    assert "@page { size: A4" in page
    assert page.count('<section class="region"') == 3
    assert "section.region, section.methods { break-before: page; }" in page
    for name in ("中央在宅医療圏", "北部広域在宅医療圏", "島しょ在宅医療圏"):
        assert f"<h2>{name}（" in page
    assert "方法とデータの出典" in page and "測地線距離" in page
    assert "サンプル県のデータはすべて架空のものです" in page  # the sample credits itself
    assert "<p>段落一</p><p>段落二</p>" in page  # a methods section plugged in
    assert "/work/" not in page and "/home/" not in page  # no local folders


def test_extra_tables_show_in_full_and_per_region(built):
    _, result, page = built
    assert "政策チェック（基準と理由）" in page
    # the full table once, then each region's rows on its page
    assert page.count("積極的役割を担う医療機関が未指定") == 2
    region_2 = page[page.index('id="region-9902"'):page.index('id="region-9903"')]
    assert "積極的役割を担う医療機関が未指定" in region_2 and "連携拠点が未指定" not in region_2
    assert result.csv["policy_checks"].exists()


def test_registered_section_builder_is_called(sample, tmp_path):
    seen = []

    def builder(ctx):
        seen.append(sorted(ctx.coverage.region_id.unique()))
        return Section("roads", "道路距離", table=pd.DataFrame({"region_id": ["9902"],
                                                                 "road_km": [12.5]}))

    register_section("test-roads", builder)
    try:
        result = sample.report(tmp_path / "r.html", formats=["html"], region_pages=False,
                               html_dpi=40)
    finally:
        del zreport.SECTIONS["test-roads"]
    assert seen == [["9901", "9902", "9903"]]
    assert "道路距離" in result.html.read_text(encoding="utf-8")
    assert result.maps == [] and result.csv == {} and result.xlsx is None


def test_bad_arguments(sample, tmp_path):
    with pytest.raises(ValueError, match="unknown report format"):
        build_report(sample, tmp_path, formats=["pdf"])
    with pytest.raises(ValueError, match="clashes"):
        build_report(sample, tmp_path, formats=["html"], region_pages=False,
                     extra_tables={"coverage": POLICY})


def test_maps_drawn_in_workers_are_the_maps_drawn_here(sample, tmp_path):
    """The report's maps drawn by forked workers (jobs=3) are, byte for
    byte, those drawn in this process one by one (jobs=1), and so are the
    page and the tables; a failure in a worker reaches the caller and
    leaves no report behind."""
    from zaitaku.report import drawing

    if drawing._fork() is None:
        pytest.skip("maps are drawn in workers only where fork is available (Linux)")
    outs = {}
    for jobs in (1, 3):
        outs[jobs] = tmp_path / f"jobs{jobs}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", zaitaku.CoverageWarning)
            sample.report(outs[jobs] / "index.html", title="同じ", date="2026-12-04",
                          map_dpi=100, html_dpi=50, formats=["html", "csv", "png", "svg"],
                          jobs=jobs)
    files = {jobs: sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
             for jobs, out in outs.items()}
    assert files[1] == files[3] and len([f for f in files[1] if f.suffix == ".png"]) == 4
    for name in files[1]:
        assert (outs[1] / name).read_bytes() == (outs[3] / name).read_bytes(), name

    def broken(data, region_id, **kwargs):
        raise RuntimeError(f"cannot draw {region_id}")

    failed = tmp_path / "failed"
    with pytest.MonkeyPatch.context() as mp, warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        mp.setattr("zaitaku.maps.mapstyle.region_map", broken)
        with pytest.raises(RuntimeError, match="cannot draw 990"):
            sample.report(failed / "index.html", title="失敗", map_dpi=100, html_dpi=50,
                          formats=["html", "png"], jobs=2)
    assert not failed.exists() or not any(failed.iterdir())


def test_weights_are_named_in_japanese(built):
    """The page names the weight as planners do (総人口, 75歳以上人口), and
    the methods keep the column's id beside the name; other weights keep
    their own names."""
    from zaitaku.report.tables import weight_text

    _, _, page = built
    assert "の需要単位（総人口）について" in page
    assert "<dt>人口の重み</dt><dd>総人口（total）</dd>" in page
    assert weight_text("age75") == "75歳以上人口"
    assert weight_text("age75", with_id=True) == "75歳以上人口（age75）"
    assert weight_text("高齢者") == "高齢者" and weight_text(None) == ""


def test_maps_show_people_out_of_reach_and_record_their_labels(sample, built):
    """Every map's figure says what it drew: the people layer's legend
    (heading and classes) and no overlapping labels, counted as the map was
    drawn; the caption names the classes. The uncovered people are those
    the coverage table leaves out."""
    import json

    out, result, page = built
    figures = re.findall(r'<figure class="map" data-label-collisions="(\d+)" '
                         r'data-labels-dropped="(\d+)" data-legend="([^"]*)">', page)
    assert len(figures) == 4 == len(result.map_meta)
    for collisions, dropped, legend in figures:
        assert collisions == "0" and dropped == "0"
        entries = json.loads(legend.replace("&quot;", '"'))
        assert "圏外の総人口（1 km メッシュ）" in entries
        assert "16 km 圏外の土地（空白地域）" in entries
    meta = result.map_meta["overview"]
    classes = meta["legend"][meta["legend"].index(meta["people"]) + 1:][:3]
    assert f"色は{meta['people']}: {'、'.join(classes)}" in page
    from zaitaku.maps.people import out_of_reach

    units = out_of_reach(sample, "doctor_and_nursing", "total")
    cov = result.tables["coverage"]
    cov = cov[cov.kind == "doctor_and_nursing"]
    assert units.total.sum() == pytest.approx((cov.demand_total - cov.demand_covered).sum())
