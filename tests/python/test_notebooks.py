"""The example notebooks run from start to end, show what they promise, and
are committed without outputs.

Each notebook runs in a kernel on this very interpreter (a kernelspec made
in a temporary folder, so no Jupyter install is needed), with cwd
``examples/``; the executed copies and their maps go to pytest's temporary
folder, never into the repository. The figures the notebooks show are
checked against independent computations: mesh centroids from the JIS X 0410
definition, point-in-polygon with shapely, geodesic distances with pyproj.

hokkaido_real.ipynb needs the real data (``COV_SHARED_DATA``, default
``../shared/data`` beside the project); without it that test is skipped.
"""
import base64
import json
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import zaitaku

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
NOTEBOOKS = ("quickstart.ipynb", "hokkaido_real.ipynb")
TIMEOUT_S = 300  # per cell
DATA = Path(os.environ.get("COV_SHARED_DATA") or ROOT.parent / "shared" / "data")
REAL = {
    "municipalities": DATA / "hokkaido_n03_shapefile_cp932" / "N03-22_01_220101.shp",
    "areas": DATA / "hokkaido_municipality_2ji_iryoken.csv",
    "mesh": DATA / "raw" / "estat_census2020_mesh500m_allJapan" / "zips",
    "todokede": DATA / "raw" / "kouseikyoku_todokede_202510_hokkaido" / "hokkaido_todokede_202510.xlsx",
    "towns": DATA / "raw" / "geolonia_japanese_addresses",
    "hospitals": DATA / "raw" / "mhlw_iryojoho_net_hospitals_20250601" / "01-1_hospital_facility_info_20250601.zip",
    "nursing": DATA / "raw" / "visiting_nursing_stations_mhlw_kaigo_osawa" / "clinics_geo.json",
}
HOKKAIDO_2020 = 5_224_614  # 令和2年国勢調査, Hokkaido's population
DOCTOR_KINDS = {"zaishin", "zaibyo", "enhanced_single", "enhanced_network", "backup_hospital",
                "hospital", "clinic"}
# the doctors of hokkaido_real.ipynb: 在支診/在支病 and the enhanced types
HOME_CARE_KINDS = {"enhanced_single", "enhanced_network", "zaishin", "zaibyo"}
ENHANCED_KINDS = {"enhanced_single", "enhanced_network"}
RADIUS_M = 16000.0
SNAP_M = 1000.0


# ---------------------------------------------------------------- running

def _kernel_manager(folder):
    """A kernel manager for this interpreter, whatever kernels Jupyter knows."""
    spec = folder / "kernels" / "zaitaku-test"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "zaitaku test", "language": "python"}))
    specs = KernelSpecManager(kernel_dirs=[str(folder / "kernels")])
    return AsyncKernelManager(kernel_name="zaitaku-test", kernel_spec_manager=specs)


def _execute(name, folder, **env):
    """Runs examples/<name> with cwd examples/ and returns the executed
    notebook, also saved in folder (CellExecutionError on a failing cell)."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(EXAMPLES / name, as_version=4)
    client = NotebookClient(nb, km=_kernel_manager(folder), timeout=TIMEOUT_S,
                            resources={"metadata": {"path": str(EXAMPLES)}})
    kernel_env = {**os.environ, "ZAITAKU_PROGRESS": "0", "ZAITAKU_ROOT": str(ROOT),
                  "IPYTHONDIR": str(folder / "ipython"),
                  "MPLBACKEND": "module://matplotlib_inline.backend_inline", **env}
    try:
        client.execute(env=kernel_env, cleanup_kc=True)  # shut the kernel down: we made its manager
    finally:
        nbformat.write(nb, folder / name)
    return nb


def _tagged(nb, tag):
    cells = [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"expected one cell tagged {tag!r}"
    return cells[0]


def _html(cell):
    html = [o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {})]
    assert html, "the cell shows no HTML table"
    return html[-1]


def _stdout(nb):
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs if o.get("name") == "stdout")


def _pngs(nb, folder, stem):
    """Writes the notebook's PNG outputs to folder; returns their paths."""
    paths = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            if "image/png" in o.get("data", {}):
                data = base64.b64decode(o["data"]["image/png"])
                assert data.startswith(b"\x89PNG\r\n\x1a\n")
                paths.append(folder / f"{stem}-{len(paths) + 1}.png")
                paths[-1].write_bytes(data)
    return paths


def _errors(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if o.get("output_type") == "error"]


class _Tables(HTMLParser):
    """The rows of every <table> in an HTML snippet, as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _frame(html):
    """A DataFrame shown by pandas as HTML, back as text: the index levels
    become columns index0, index1 ...; rows with an empty cell (the row of
    index names) are left out."""
    parser = _Tables()
    parser.feed(html)
    assert len(parser.tables) == 1, "expected exactly one table"
    header, *rows = parser.tables[0]
    n_index = next(i for i, h in enumerate(header) if h)
    columns = [f"index{i}" for i in range(n_index)] + header[n_index:]
    body = [r for r in rows if len(r) == len(header) and all(r)]
    return pd.DataFrame(body, columns=columns)


# ---------------------------------------------------------------- the independent computation

def _mesh_centroids(codes):
    """Centroids of JIS X 0410 cells (1 km or 500 m), from the standard's
    definition: 1st level 40' x 1 degree, 2nd 1/8 of it, 3rd 1/10, half 1/2."""
    c = pd.Series(codes, dtype=str)
    digit = lambda i: c.str[i].astype(int).to_numpy()  # noqa: E731
    lat = c.str[0:2].astype(int).to_numpy() / 1.5 + digit(4) * 5 / 60 + digit(6) * 30 / 3600
    lon = c.str[2:4].astype(int).to_numpy() + 100.0 + digit(5) * 7.5 / 60 + digit(7) * 45 / 3600
    dlat, dlon = 30 / 3600, 45 / 3600
    if c.str.len().eq(9).all():
        quarter = digit(8)
        dlat, dlon = dlat / 2, dlon / 2
        lat = lat + np.where(quarter >= 3, dlat, 0.0)
        lon = lon + np.where(quarter % 2 == 0, dlon, 0.0)
    else:
        assert c.str.len().eq(8).all()
    return lon + dlon / 2, lat + dlat / 2


def _assign(lon, lat, polygons, region_field):
    """Each point's region: the polygon containing it, else the nearest
    within SNAP_M (distances in an azimuthal equidistant projection centred
    on the points), else None."""
    import geopandas as gpd
    import shapely

    points = shapely.points(lon, lat)
    regions = polygons[region_field].to_numpy()
    out = np.full(len(points), None, dtype=object)
    p, g = shapely.STRtree(polygons.geometry.values).query(points, predicate="within")
    out[p] = regions[g]
    sea = np.flatnonzero(pd.isna(out))
    if len(sea):
        local = (f"+proj=aeqd +lat_0={np.mean(lat[sea])} +lon_0={np.mean(lon[sea])} "
                 "+ellps=GRS80 +units=m")
        projected = polygons.to_crs(local).geometry.values
        near = gpd.GeoSeries(points[sea], crs=polygons.crs).to_crs(local).values
        i, j = shapely.STRtree(projected).query_nearest(near, max_distance=SNAP_M)
        out[sea[i]] = regions[j]
    return out


def _within(lon, lat, f_lon, f_lat, radius_m=RADIUS_M):
    """Whether some facility lies within radius_m of each point: a sphere
    sorts out the clear cases, the GRS80 geodesic (pyproj) the ones within
    1 % of the radius, where sphere and ellipsoid may disagree."""
    from pyproj import Geod

    geod = Geod(ellps="GRS80")
    out = np.zeros(len(lon), dtype=bool)
    la, lo = np.radians(lat)[:, None], np.radians(lon)[:, None]
    for s in range(0, len(f_lon), 256):
        fla, flo = np.radians(f_lat[s:s + 256])[None, :], np.radians(f_lon[s:s + 256])[None, :]
        h = np.sin((fla - la) / 2) ** 2 + np.cos(la) * np.cos(fla) * np.sin((flo - lo) / 2) ** 2
        d = 2 * 6371008.8 * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
        out |= (d <= 0.99 * radius_m).any(axis=1)
        i, j = np.nonzero((d > 0.99 * radius_m) & (d < 1.01 * radius_m) & ~out[:, None])
        if len(i):
            dist = geod.inv(lon[i], lat[i], f_lon[s:s + 256][j], f_lat[s:s + 256][j])[2]
            out[np.unique(i[dist <= radius_m])] = True
    return out


def _coverage(region, weight, covered_by_kind):
    """people and covered people per region and kind (ints)."""
    rows = []
    keep = ~pd.isna(region)
    for kind, covered in covered_by_kind.items():
        frame = pd.DataFrame({"region": region[keep], "w": weight[keep],
                              "c": np.where(covered, weight, 0)[keep]})
        for r, g in frame.groupby("region"):
            rows.append((r, kind, int(round(g.w.sum())), int(round(g.c.sum()))))
    return pd.DataFrame(rows, columns=["region", "kind", "people", "covered"])


def _kinds_covered(lon, lat, facilities, doctor_kinds=DOCTOR_KINDS):
    """covered flags per facility kind and for doctor_any, doctor_and_nursing."""
    covered = {k: _within(lon, lat, g.lon.to_numpy(), g.lat.to_numpy())
               for k, g in facilities.groupby("kind")}
    doctor = np.zeros(len(lon), dtype=bool)
    for k in doctor_kinds & set(covered):
        doctor |= covered[k]
    covered["doctor_any"] = doctor
    covered["doctor_and_nursing"] = doctor & covered.get("nursing", np.zeros(len(lon), bool))
    return covered


def _sample_inputs():
    """The sample's mesh, facilities, cell centres and each cell's area
    (NaN outside), read with geopandas and pandas, not zaitaku."""
    import geopandas as gpd

    munis = gpd.read_file(zaitaku.sample_path("municipalities.shp"))
    areas = pd.read_csv(zaitaku.sample_path("areas.csv"), dtype=str)
    munis = munis.drop(columns="area_code").merge(areas[["muni_code", "area_code"]], on="muni_code")
    mesh = pd.read_csv(zaitaku.sample_path("population_mesh1km.csv"), dtype={"mesh_code": str})
    fac = pd.read_csv(zaitaku.sample_path("facilities.csv"))
    lon, lat = _mesh_centroids(mesh.mesh_code)
    return mesh, fac, lon, lat, _assign(lon, lat, munis, "area_code")


def _sample_coverage():
    mesh, fac, lon, lat, region = _sample_inputs()
    return _coverage(region, mesh.total.to_numpy(), _kinds_covered(lon, lat, fac))


def _in_hokkaido(lon, lat):
    return lon.between(139.3, 149.0) & lat.between(41.3, 45.6)


def _estat_hokkaido(folder, box=(139.3, 41.3, 149.0, 45.6)):
    """mesh code, total and people 75+ of every cell of e-Stat's 2020 files
    whose first-level square (40' x 1 degree, from the code) meets box, read
    with zipfile and csv: the 75+ column found by its label; ``*`` (merged
    for secrecy: counted in another cell) and ``-`` count 0."""
    import csv
    import io
    import unicodedata
    import zipfile

    codes, total, age75 = [], [], []
    for path in sorted(Path(folder).glob("tblT001141H*.zip")):
        first = path.stem[-4:]
        south, west = int(first[:2]) / 1.5, 100 + int(first[2:])
        if west > box[2] or west + 1 < box[0] or south > box[3] or south + 2 / 3 < box[1]:
            continue
        with zipfile.ZipFile(path) as z:
            text = z.read(z.namelist()[0]).decode("cp932")
        rows = list(csv.reader(io.StringIO(text)))
        labels = [unicodedata.normalize("NFKC", c).replace(" ", "") for c in rows[1]]
        i_total, i_75 = rows[0].index("T001141001"), labels.index("75歳以上人口総数")
        for r in rows[2:]:
            codes.append(r[0])
            total.append(float(r[i_total]) if r[i_total] not in ("*", "-", "") else 0.0)
            age75.append(float(r[i_75]) if r[i_75] not in ("*", "-", "") else 0.0)
    return pd.Series(codes), np.array(total), np.array(age75)


def _hokkaido_inputs():
    """mesh centroids, total and 75+ people, 二次医療圏 of each cell, and the
    facilities (facility_id, lon, lat, kind, institution, region), from the raw files; the 届出 list's
    points from zaitaku's reader (its own tests check it)."""
    import geopandas as gpd

    munis = gpd.read_file(REAL["municipalities"], encoding="cp932")
    mapping = pd.read_csv(REAL["areas"], dtype=str).dropna(subset=["iryoken2_code"])
    munis = munis.merge(mapping[["muni_code", "iryoken2_code"]], left_on="N03_007",
                        right_on="muni_code")
    codes, total, age75 = _estat_hokkaido(REAL["mesh"])
    lon, lat = _mesh_centroids(codes)
    region = _assign(lon, lat, munis, "iryoken2_code")
    with open(REAL["nursing"], encoding="utf-8") as f:
        st = pd.DataFrame(json.load(f))
    st = st[st["id"].str.startswith("01") & _in_hokkaido(st["lg"], st["lt"])]
    with __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore", zaitaku.CoverageWarning)
        doc = zaitaku.official.read_home_care_doctors(REAL["todokede"], REAL["towns"],
                                                      REAL["hospitals"], prefecture="北海道",
                                                      min_level="municipality")
    fac = pd.concat([pd.DataFrame({"facility_id": "N" + st["id"], "lon": st["lg"], "lat": st["lt"],
                                   "kind": "nursing", "institution": "nursing"}),
                     pd.DataFrame({"facility_id": doc.facility_id, "lon": doc.lon, "lat": doc.lat,
                                   "kind": doc.kind, "institution": doc.institution})],
                    ignore_index=True)
    fac["region"] = _assign(fac.lon.to_numpy(float), fac.lat.to_numpy(float), munis,
                            "iryoken2_code")
    return lon, lat, total, age75, region, fac


# ---------------------------------------------------------------- tests

@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebooks_have_no_outputs(name):
    # outputs of hokkaido_real.ipynb are derived from data that is not ours
    nb = nbformat.read(EXAMPLES / name, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, \
                f"{name}: clear the outputs before committing (cell {cell.get('id')})"
    assert "image/png" not in (EXAMPLES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quickstart")
    return _execute("quickstart.ipynb", folder), folder


def test_quickstart_runs_and_shows_the_coverage_pivot(quickstart):
    nb, folder = quickstart
    assert not _errors(nb)
    pivot = _frame(_html(_tagged(nb, "coverage-pivot")))
    assert list(pivot.index0) == ["9901", "9902", "9903"]
    island = pivot.set_index("index0").loc["9903"]
    assert float(island["nursing"]) == 100.0  # one station on a 10 km island
    assert float(island["doctor_any"]) == 0.0  # and no doctor
    expected = _sample_coverage()
    shown = pivot.melt(id_vars=["index0", "index1"], var_name="kind", value_name="percent")
    assert len(shown) == 3 * 7
    for row in shown.itertuples():
        e = expected[(expected.region == row.index0) & (expected.kind == row.kind)].iloc[0]
        assert float(row.percent) == round(100 * e.covered / e.people, 1), (row.index0, row.kind)


def test_quickstart_lists_the_rock_and_draws_a_map(quickstart):
    nb, folder = quickstart
    assert _pngs(nb, folder, "quickstart"), "the map is missing"
    assert "60360234" in "".join(_html(c) for c in nb.cells if c.cell_type == "code"
                                 and any("text/html" in o.get("data", {}) for o in c.outputs))


def test_quickstart_shows_people_an_offline_map_and_a_comparison(quickstart):
    """The people map draws, explore() shows a page with no network
    resource, and compare()'s summary gives the nurses' shares at 16 and
    10 km that an independent count (pyproj geodesics, geopandas
    assignment) gives for people 75+."""
    nb, folder = quickstart
    assert not _errors(nb)
    people = _tagged(nb, "people-map")
    assert any("image/png" in o.get("data", {}) for o in people.outputs)
    page = _html(_tagged(nb, "explore"))
    assert "srcdoc=" in page and "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page
    shown = _frame(_html(_tagged(nb, "compare-summary"))).set_index("kind")
    mesh, fac, lon, lat, region = _sample_inputs()
    keep = ~pd.isna(region)
    nurses = fac[fac.kind == "nursing"]
    w = mesh.age75.to_numpy()[keep]
    for name, radius in (("16 km", 16000.0), ("10 km", 10000.0)):
        covered = _within(lon, lat, nurses.lon.to_numpy(), nurses.lat.to_numpy(), radius)[keep]
        assert float(shown.loc["nursing", f"share_covered_{name}"]) == pytest.approx(
            w[covered].sum() / w.sum(), abs=1e-6), name


def test_hokkaido_notebook_stops_clearly_without_the_data(tmp_path):
    with pytest.raises(CellExecutionError, match=r"real data not found at .*set COV_SHARED_DATA"):
        _execute("hokkaido_real.ipynb", tmp_path, COV_SHARED_DATA=str(tmp_path / "nowhere"))


@pytest.fixture(scope="module")
def real_data():
    missing = [str(p) for p in REAL.values() if not p.exists()]
    if missing:
        pytest.skip(f"real data not found at {DATA} (set COV_SHARED_DATA); missing {missing[0]}")
    return DATA


@pytest.fixture(scope="module")
def hokkaido(real_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hokkaido")
    return _execute("hokkaido_real.ipynb", folder, COV_SHARED_DATA=str(real_data)), folder


@pytest.fixture(scope="module")
def hokkaido_expected(real_data):
    lon, lat, total, age75, region, fac = _hokkaido_inputs()
    covered = _kinds_covered(lon, lat, fac, HOME_CARE_KINDS)
    expected = _coverage(region, age75, covered)
    enhanced = _kinds_covered(lon, lat, fac, ENHANCED_KINDS)["doctor_any"]
    expected = pd.concat([expected, _coverage(region, age75, {"enhanced": enhanced})])
    return expected, pd.isna(region), total, fac, (lon, lat, total, age75, region, fac)


@pytest.mark.parametrize("tag, kind", [("doctor-table", "doctor_any"), ("enhanced-table", "enhanced"),
                                       ("nursing-table", "nursing"),
                                       ("both-table", "doctor_and_nursing")])
def test_hokkaido_tables(hokkaido, hokkaido_expected, tag, kind):
    """People 75+ within 16 km per area, against geodesic distances (pyproj)
    from the mesh cells read with the csv module."""
    nb, folder = hokkaido
    table = _frame(_html(_tagged(nb, tag)))
    assert list(table.columns) == ["index0", "code", "二次医療圏", "people 75+", "covered", "share %"]
    assert list(table.code) == [f"01{i:02d}" for i in range(1, 22)]
    people, covered = table["people 75+"].astype(int), table.covered.astype(int)
    share = table["share %"].astype(float)
    assert ((0 <= covered) & (covered <= people)).all()
    assert (share == (100 * covered / people).round(1)).all()
    expected = hokkaido_expected[0]
    expected = expected[expected.kind == kind].set_index("region").loc[table.code]
    assert list(people) == list(expected.people)
    assert list(covered) == list(expected.covered)


def test_hokkaido_counts_facilities_per_area(hokkaido, hokkaido_expected):
    nb, folder = hokkaido
    table = _frame(_html(_tagged(nb, "counts-table")))
    fac = hokkaido_expected[3]
    assert list(table.region_id) == [f"01{i:02d}" for i in range(1, 22)]
    for kind in ("enhanced_single", "enhanced_network", "zaishin", "zaibyo", "backup_hospital",
                 "nursing"):
        shown = table[zaitaku.kinds.kind_name(kind)].astype(int).tolist()
        here = fac[fac.kind == kind].region.value_counts()
        assert shown == [int(here.get(r, 0)) for r in table.region_id], kind
    assert (fac.region.notna() | (fac.kind == "nursing")).all()


def test_hokkaido_2040_scales_the_uncovered_by_the_published_growth(hokkaido, hokkaido_expected):
    """2040: per area, the uncovered 75+ of today (the independent computation)
    times the growth of home-visit receipts 2024 -> 2040 read with csv."""
    import csv

    nb, folder = hokkaido
    table = _frame(_html(_tagged(nb, "forecast-table")))
    path = DATA / "raw" / "mhlw_chiiki_iryo_kousou_2040_youkiti" / "demand_forecast.csv"
    with open(path, encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["pref_code"] == "01"
                and r["demand_category"] == "在宅（訪問診療）"]
    v = {(r["area_code"], r["year"]): float(r["receipts_per_month"]) for r in rows}
    expected = hokkaido_expected[0]
    expected = expected[expected.kind == "doctor_and_nursing"].set_index("region")
    areas = table[table.region_id != "all"]
    assert list(areas.region_id) == [f"01{i:02d}" for i in range(1, 22)]
    for row in areas.itertuples():
        factor = v[(row.region_id, "2040")] / v[(row.region_id, "2024")]
        uncovered = expected.people[row.region_id] - expected.covered[row.region_id]
        assert float(row.factor) == round(factor, 3)
        assert float(row.demand_uncovered_2020) == uncovered
        assert abs(float(row.demand_uncovered_2040) - factor * uncovered) <= 0.5


def test_hokkaido_people_in_the_areas_are_the_census_and_a_map_is_drawn(hokkaido, hokkaido_expected):
    nb, folder = hokkaido
    assert not _errors(nb)
    _, unassigned, total, _, _ = hokkaido_expected
    m = re.search(r"people in the 21 areas: ([\d,]+)", _stdout(nb))
    assert m, "the notebook does not report the people in the areas"
    assert int(m.group(1).replace(",", "")) == round(total[~unassigned].sum()) == HOKKAIDO_2020
    m = re.search(r"unassigned cells: ([\d,]+), population ([\d,]+)", _stdout(nb))
    assert int(m.group(1).replace(",", "")) == unassigned.sum()
    assert int(m.group(2).replace(",", "")) == round(total[unassigned].sum())
    assert _pngs(nb, folder, "hokkaido"), "the map is missing"


# ---------------------------------------------------------------- planning (issues 5, 13)

PLANNING_NB = "hokkaido_planning.ipynb"
ZAISHIN_CSV = (DATA / "raw" / "estat_iryoshisetsu_r5_zaishishin" /
               "estat_r5_t24_zaitaku_shien_shinryojo_2ji_HOKKAIDO_EXCERPT.csv")
AREAS = [f"01{i:02d}" for i in range(1, 22)]


def test_planning_notebook_committed_without_outputs():
    nb = nbformat.read(EXAMPLES / PLANNING_NB, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert "image/png" not in (EXAMPLES / PLANNING_NB).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def planning_nb(real_data, tmp_path_factory):
    if not ZAISHIN_CSV.is_file():
        pytest.skip(f"real data not found: {ZAISHIN_CSV} (set COV_SHARED_DATA)")
    folder = tmp_path_factory.mktemp("planning")
    return _execute(PLANNING_NB, folder, COV_SHARED_DATA=str(real_data)), folder


def _psychiatric_only_hospitals():
    """IDs of Hokkaido's located 医療情報ネット hospitals whose beds are all
    psychiatric, from the zip's raw bed columns."""
    import zipfile

    with zipfile.ZipFile(REAL["hospitals"]) as z, z.open(z.namelist()[0]) as f:
        hosp = pd.read_csv(f, dtype=str, encoding="utf-8-sig")
    hosp = hosp[(hosp["都道府県コード"] == "01") & (hosp["所在地座標（緯度）"].astype(float) > 40)]
    total, psy = (pd.to_numeric(hosp[c], errors="coerce") for c in ("合計病床数", "精神病床"))
    return set(hosp.loc[(total > 0) & (psy == total), "ID"])


def test_planning_notebook_sets_the_list_beside_the_survey(planning_nb, hokkaido_expected):
    """在支診 per area: the 2023 survey column is the csv's (read with the csv
    module, "-" none); the 2025 column counts the list's clinics of the
    home-care kinds whose point lies in the area (shapely)."""
    import csv

    nb, folder = planning_nb
    assert not _errors(nb)
    table = _frame(_html(_tagged(nb, "survey-table")))
    with open(ZAISHIN_CSV, encoding="utf-8") as f:
        rows = {r[0][:4]: r[2].strip() for r in csv.reader(f) if re.match(r"^01\d\d", r[0])}
    assert sorted(table.region_id) == AREAS
    survey = [0 if rows[r] == "-" else int(rows[r]) for r in table.region_id]
    assert [int(v) for v in table["在支診 2023 (医療施設調査)"]] == survey
    fac = hokkaido_expected[3]
    home = fac[fac.kind.isin(HOME_CARE_KINDS)]
    clinics = home[home.institution == "clinic"].region.value_counts()
    hospitals = home[home.institution == "hospital"].region.value_counts()
    assert [int(v) for v in table["在支診 2025 (届出)"]] == [int(clinics.get(r, 0)) for r in table.region_id]
    assert [int(v) for v in table["在支病 2025 (届出)"]] == [int(hospitals.get(r, 0)) for r in table.region_id]


def test_planning_notebook_fails_home_care_where_no_home_care_doctor_lies(planning_nb, hokkaido_expected):
    """home_care fails exactly in the areas holding no 在支診/在支病 point
    (shapely point-in-polygon of the list's points)."""
    nb, folder = planning_nb
    fac = hokkaido_expected[3]
    holding = set(fac[fac.kind.isin(HOME_CARE_KINDS)].region.dropna())
    none = set(AREAS) - holding
    assert none, "Hokkaido has areas without a 在支診/在支病 (北空知 in the 2025 list)"
    m = re.search(r"home_care FAIL: (.*)", _stdout(nb))
    assert m, "the notebook does not list the failing areas"
    assert {part.split()[0] for part in m.group(1).split(", ")} == none
    assert _pngs(nb, folder, "planning"), "the maps are missing"


def test_planning_notebook_designates_among_home_care_doctors(planning_nb, hokkaido_expected):
    """Every pick is a 在支診/在支病; each area holding one gets a lead, the
    others say "no candidate"; each area's share after the plan is the share
    of its people 75+ within 16 km (pyproj) of the picked points."""
    nb, folder = planning_nb
    lon, lat, total, age75, region, fac = hokkaido_expected[4]
    picks_html = [o["data"]["text/html"] for o in _tagged(nb, "plan").outputs
                  if "text/html" in o.get("data", {})]
    picks = _frame(picks_html[0])
    regions = _frame(picks_html[-1]).set_index("region_id")
    assert set(picks.kind) <= HOME_CARE_KINDS
    holding = set(fac[fac.kind.isin(HOME_CARE_KINDS)].region.dropna())
    for area in AREAS:
        if area in holding:
            assert int(regions.n_picked[area]) >= 1, area
        else:
            assert int(regions.n_picked[area]) == 0
            assert regions.status[area].startswith("no candidate"), area
    where = fac.set_index("facility_id").loc[picks.facility_id]
    covered = _within(lon, lat, where.lon.to_numpy(float), where.lat.to_numpy(float))
    expected = _coverage(region, age75, {"picks": covered}).set_index("region")
    for area in AREAS:
        share = expected.covered[area] / expected.people[area]
        assert abs(float(regions.share_after[area]) - share) < 5e-7, area


def test_planning_notebook_bound_is_of_the_plan(planning_nb, hokkaido_expected):
    """The bound table's covered people are those 75+ within 16 km (pyproj)
    of the picks the notebook shows; the bound is not below them, and the
    gap is their difference."""
    nb, folder = planning_nb
    lon, lat, total, age75, region, fac = hokkaido_expected[4]
    picks = _frame([o["data"]["text/html"] for o in _tagged(nb, "plan").outputs
                    if "text/html" in o.get("data", {})][0])
    where = fac.set_index("facility_id").loc[picks.facility_id]
    covered = _within(lon, lat, where.lon.to_numpy(float), where.lat.to_numpy(float))
    people = _coverage(region, age75, {"picks": covered}).covered.sum()
    bound = _frame(_html(_tagged(nb, "bound"))).set_index("item").value
    assert abs(float(bound["covered"]) - people) < 1e-6 * people
    assert float(bound["covered_bound"]) >= float(bound["covered"])
    assert abs(float(bound["gap_people"]) - (float(bound["covered_bound"]) -
                                             float(bound["covered"]))) < 1e-3
    assert bound["method"] == "LP relaxation" and bound["budget"] == str(len(AREAS) + 10)


def test_planning_notebook_leaves_psychiatric_only_hospitals_out(planning_nb):
    """Widened to every hospital, the psychiatric-only ones (the zip's bed
    columns) are the ones left out for that reason, and none is picked."""
    nb, folder = planning_nb
    psychiatric = _psychiatric_only_hospitals()
    assert f"hospitals with psychiatric beds only: {len(psychiatric)}" in _stdout(nb)
    assert "在支診/在支病 and backup hospitals with psychiatric beds only: 0" in _stdout(nb)
    cell = _tagged(nb, "wide-plan")
    m = re.search(r"'psychiatric_only': (\d+)", _stdout(nbformat.from_dict({"cells": [cell]})))
    assert m and int(m.group(1)) == len(psychiatric)
    excluded = _frame(_html(cell))
    assert set(excluded.facility_id) == psychiatric
    assert excluded.reason.str.startswith("psychiatric beds only").all()
