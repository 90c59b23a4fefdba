"""Names are data (issue 16): a region called "=HYPERLINK(...)" stays text in the report's CSV
tables and in tables.xlsx, and one holding "$...$" is drawn as written, not parsed as
matplotlib mathtext (which either fails with a parser message naming nothing, or restyles the
name silently)."""
import csv
import warnings

import pandas as pd
import pytest

import zaitaku
from zaitaku import sample_path

FORMULA = '=HYPERLINK("http://example.invalid","x")'
MATH = r"$\frac{1}{0$ 区"  # not even valid mathtext: parsing it raises


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    areas = pd.read_csv(sample_path("areas.csv"), dtype=str)
    names = {"9901": FORMULA, "9902": MATH, "9903": "+81 離島"}
    areas["area_name"] = areas.area_code.map(names)
    areas.to_csv(folder / "areas.csv", index=False)
    munis = zaitaku.read_regions(sample_path("municipalities.shp"), "muni_code", "muni_name")
    regions = munis.dissolve(folder / "areas.csv", "muni_code", "area_code", "area_name")
    fac = zaitaku.read_facilities(sample_path("facilities.csv"), kind_field="kind",
                                  name_field="name")
    dem = zaitaku.read_demand(sample_path("population_mesh1km.csv"), mesh_field="mesh_code",
                              weight_fields=["total"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an = zaitaku.Analysis(regions, fac, dem)
        result = an.report(folder / "out" / "report.html", formats=["html", "csv", "xlsx", "png"])
    return folder / "out", result


def test_csv_tables_keep_names_as_text(hostile):
    out, _ = hostile
    with open(out / "tables" / "coverage.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    names = {r["region_id"]: r["region_name"] for r in rows}
    assert names["9901"] == "'" + FORMULA  # the apostrophe: text, not a formula
    assert names["9903"] == "'+81 離島"
    assert names["9902"] == MATH  # not a formula start: written as it is
    # numbers are never prefixed
    assert all(not r["demand_total"].startswith("'") for r in rows)


def test_xlsx_cells_are_text_not_formulas(hostile):
    openpyxl = pytest.importorskip("openpyxl")
    out, _ = hostile
    book = openpyxl.load_workbook(out / "tables.xlsx")
    sheet = book["coverage"]
    header = [c.value for c in sheet[1]]
    col = header.index("region_name")
    cells = [row[col] for row in sheet.iter_rows(min_row=2)]
    assert any(c.value == FORMULA for c in cells)
    assert all(c.data_type == "s" for c in cells)  # no cell is a formula


def test_maps_draw_dollar_names_as_written(hostile):
    out, result = hostile
    pngs = sorted(out.glob("maps/*.png"))
    assert pngs and all(p.stat().st_size > 10_000 for p in pngs)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert r"\frac{1}{0" in html  # the name, escaped for HTML, not dropped
