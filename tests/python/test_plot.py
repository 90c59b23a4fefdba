"""Maps (zaitaku.maps.plot): what is drawn, in what font, at what size, and
whether the scale bar tells the truth."""
import math
import os
import re
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
from matplotlib import font_manager  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from PIL import Image  # noqa: E402
from pyproj import Geod  # noqa: E402

import zaitaku  # noqa: E402
from zaitaku.maps import plot as zplot  # noqa: E402
from zaitaku.maps.plot import japanese_font, kind_label, plot_analysis, save_map  # noqa: E402

GRS80_A, GRS80_F = 6378137.0, 1 / 298.257222101


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def sample():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)  # the sample's unassigned cell
        return zaitaku.Analysis.sample()


@pytest.fixture(scope="module")
def nursing_only():
    """The sample's areas and demand with only its visiting-nurse stations."""
    sp = zaitaku.sample_path
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        munis = zaitaku.read_regions(sp("municipalities.shp"), "muni_code", "muni_name")
        areas = munis.dissolve(sp("areas.csv"), "muni_code", "area_code", "area_name")
        table = pd.read_csv(sp("facilities.csv"), dtype={"facility_id": str})
        fac = zaitaku.read_facilities(table[table.kind == "nursing"], kind_field="kind",
                                      name_field="name")
        dem = zaitaku.read_demand(sp("population_mesh1km.csv"), mesh_field="mesh_code",
                                  weight_fields=["total"])
        return zaitaku.Analysis(areas, fac, dem)


@pytest.fixture(scope="module")
def tall():
    """Two made-up areas stacked north-south: a map taller than wide."""
    import geopandas as gpd
    import shapely

    south = shapely.Polygon([(140.0, 40.0), (140.35, 40.05), (140.4, 40.8), (140.05, 40.75)])
    north = shapely.Polygon([(140.05, 40.75), (140.4, 40.8), (140.3, 41.5), (140.1, 41.45)])
    areas = gpd.GeoDataFrame({"id": ["A1", "A2"], "name": ["南部圏域", "北部圏域"]},
                             geometry=[south, north], crs="EPSG:6668")
    fac = pd.DataFrame({"facility_id": ["F1", "F2", "F3"], "lon": [140.2, 140.25, 140.2],
                        "lat": [40.3, 40.5, 41.2], "kind": ["zaishin", "nursing", "dentist"]})
    dem = pd.DataFrame({"id": ["d1", "d2"], "lon": [140.2, 140.2], "lat": [40.3, 41.0]})
    return zaitaku.Analysis(zaitaku.read_regions(areas, "id", "name"),
                            zaitaku.read_facilities(fac, kind_field="kind"),
                            zaitaku.read_demand(dem, id_field="id", lon_field="lon",
                                                lat_field="lat"))


def draw(analysis, **kwargs):
    """A map on a figure pyplot never sees, rendered once (as save_map
    would), with every warning of the drawing and the rendering recorded."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = Figure(figsize=kwargs.pop("figsize", (8, 8)), dpi=60, layout="constrained")
        ax = plot_analysis(analysis, ax=fig.add_subplot(), **kwargs)
        FigureCanvasAgg(fig).draw()
    return ax, caught


def texts(ax):
    """Every piece of text on the axes' figure that shows."""
    return [t.get_text() for t in ax.figure.findobj(Text) if t.get_visible() and t.get_text()]


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def facility_entries(ax):
    """Legend entries naming a facility kind and a count ("...: 22")."""
    return [t for t in legend_texts(ax) if re.search(r": \d+$", t)]


def glyph_warnings(caught):
    return [w for w in caught if "missing from font" in str(w.message)]


def image(path):
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


# ---------------------------------------------------------------- PNG

def test_png_is_a_real_map_of_the_requested_size(sample, tmp_path):
    path = save_map(sample, tmp_path / "map.png", dpi=100)
    assert path == tmp_path / "map.png"
    px = image(path)
    assert px.shape == (800, 800, 3)  # figsize 8 x 8 in at 100 dpi
    assert px.std() > 20  # not blank
    colours = {tuple(c) for c in px.reshape(-1, 3)[::7]}
    assert len(colours) > 50
    # the reached land and the gaps' fill are both there, in sizeable patches
    share = lambda hex_: np.all(px == np.array(matplotlib.colors.to_rgb(hex_)) * 255,  # noqa: E731
                                axis=-1).mean()
    assert share(zplot.REACHED) > 0.05
    assert share(zplot.GAP_FACE) > 0.002
    # every Okabe-Ito marker colour of a kind present shows up somewhere
    for kind in ("zaishin", "nursing", "enhanced_single"):
        assert share(zplot.KIND_STYLES[kind][0]) > 0, kind
    # no temporary file is left beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png"]


def test_png_size_follows_figsize_and_dpi(sample, tmp_path):
    px = image(save_map(sample, tmp_path / "small.png", kind="nursing", dpi=50, figsize=(6, 4)))
    assert px.shape[:2] == (200, 300)


def test_save_map_replaces_an_existing_file_and_rejects_other_formats(sample, tmp_path):
    path = tmp_path / "map.png"
    path.write_bytes(b"old")
    save_map(sample, path, dpi=30)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        save_map(sample, tmp_path / "map.pdf")
    with pytest.raises(TypeError, match="ax"):
        save_map(sample, tmp_path / "x.png", ax=None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png"]


def test_svg_output(sample, tmp_path):
    path = save_map(sample, tmp_path / "map.svg", kind="doctor_any")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    assert (root.get("width"), root.get("height")) == ("576pt", "576pt")  # 8 in x 72 pt
    paths = root.findall(".//{http://www.w3.org/2000/svg}path")
    assert len(paths) > 100  # outlines, circles' union, markers, text as paths
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.svg"]


# ---------------------------------------------------------------- fonts

def test_japanese_font_has_every_glyph_drawn(sample):
    name = japanese_font()
    assert name, "no Japanese font found: install one (apt-get install fonts-noto-cjk)"
    path = font_manager.findfont(font_manager.FontProperties(family=name),
                                 fallback_to_default=False)
    face = getattr(path, "face_index", 0)
    font = FT2Font(os.fspath(path), face_index=face) if face else FT2Font(os.fspath(path))
    ax, _ = draw(sample)
    drawn = "".join(texts(ax))
    assert "訪" in drawn and "圏" in drawn  # the labels are Japanese
    missing = sorted({c for c in drawn if not c.isspace() and font.get_char_index(ord(c)) == 0})
    assert missing == []


def test_font_installed_after_matplotlib_cached_its_list_is_found(monkeypatch):
    name = japanese_font()
    if name is None:
        pytest.skip("no Japanese font on this machine")
    # a font list as matplotlib would have cached it before the font came
    japanese = set(zplot._PREFERRED_FONTS)
    older = [f for f in font_manager.fontManager.ttflist
             if f.name not in japanese and "CJK" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", older)
    zplot._find_japanese_font.cache_clear()
    try:
        assert zplot._pick(zplot._installed_font_names()) is None
        assert japanese_font() == name
    finally:
        zplot._find_japanese_font.cache_clear()
        font_manager.fontManager._findfont_cached.cache_clear()


def test_rendering_has_no_missing_glyphs(sample):
    _, caught = draw(sample, credit="国土数値情報（行政区域データ）を加工して作成")
    assert glyph_warnings(caught) == []
    assert [w for w in caught if issubclass(w.category, zaitaku.CoverageWarning)] == []


def test_all_texts_use_the_japanese_font(sample):
    name = japanese_font()
    ax, _ = draw(sample)
    for t in ax.figure.findobj(Text):
        if t.get_visible() and any(ord(c) > 0x2E80 for c in t.get_text()):
            assert t.get_fontfamily()[0] == name, t.get_text()
    # and the global settings are as they were
    assert name not in matplotlib.rcParams["font.family"]


def test_without_a_japanese_font_one_clear_warning(sample, tmp_path, monkeypatch):
    monkeypatch.setattr(zplot, "japanese_font", lambda: None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = save_map(sample, tmp_path / "boxes.png", dpi=40)
    about_fonts = [w for w in caught if "fonts-noto-cjk" in str(w.message)]
    assert len(about_fonts) == 1
    assert issubclass(about_fonts[0].category, UserWarning)
    assert "boxes" in str(about_fonts[0].message)
    assert glyph_warnings(caught) == []  # not a flood of per-glyph warnings on top
    assert image(path).std() > 20  # the map is still drawn


# ---------------------------------------------------------------- legend

def test_legend_has_one_entry_per_facility_kind_present(sample):
    ax, _ = draw(sample)
    counts = sample.facilities.to_geodataframe()["kind"].value_counts()
    expected = sorted(f"{kind_label(k)}: {n}" for k, n in counts.items())
    assert sorted(facility_entries(ax)) == expected
    assert len(expected) == 5
    assert "在支診 (zaishin): 22" in expected
    labels = legend_texts(ax)
    assert any(t.startswith("16 km 圏内") for t in labels)
    assert any("圏外" in t for t in labels)


def overlaps(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("which, side", [("sample", "below"), ("tall", "right")])
def test_legend_and_credit_sit_outside_the_map(which, side, request):
    ax, _ = draw(request.getfixturevalue(which), credit="出典")
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    legend = ax.get_legend().get_window_extent(renderer)
    (credit,) = [t for t in ax.texts if t.get_gid() == "zaitaku-credit"]
    credit = credit.get_window_extent(renderer)
    figure = ax.figure.bbox
    if side == "below":
        assert legend.y1 <= frame.y0 + 1
    else:
        assert legend.x0 >= frame.x1 - 1
    assert credit.y1 <= frame.y0 + 1 and not overlaps(credit, legend)
    for box in (legend, credit, frame):  # nothing cut off by the figure's edge
        assert figure.x0 - 1 <= box.x0 and box.x1 <= figure.x1 + 1
        assert figure.y0 - 1 <= box.y0 and box.y1 <= figure.y1 + 1


def test_region_names_do_not_overlap(sample):
    ax, _ = draw(sample)
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts
             if t.get_gid() == "zaitaku-region-name"]
    assert len(boxes) == 3
    assert not any(overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_unknown_kinds_get_a_marker_and_their_own_name(tall):
    ax, _ = draw(tall, kind="doctor_any")
    assert sorted(facility_entries(ax)) == ["dentist: 1", "在支診 (zaishin): 1",
                                            "訪問看護ステーション (nursing): 1"]


def test_credit_wraps_to_the_map_width():
    long = "国土数値情報（行政区域データ）を加工して作成; 介護サービス情報公表システム（厚生労働省）"
    text = zplot._credit_text(long, map_width_in=3)
    lines = text.split("\n")
    assert len(lines) >= 3
    assert all(zplot._ems(line) * zplot._CREDIT_PT / 72 <= 3 for line in lines)
    assert " ".join(lines) == f"© zaitaku / libcoverage; {long}"  # broken after "; " only


def test_legend_lists_no_facilities_when_markers_are_off(sample):
    ax, _ = draw(sample, facilities=False, gaps=False)
    assert facility_entries(ax) == []
    assert not any("圏外" in t for t in legend_texts(ax))


def test_title_and_credit(sample):
    ax, _ = draw(sample, radius="10km", credit="テスト出典")
    assert ax.get_title() == "10 km 圏内: 医師と訪問看護の両方"
    credit = [t for t in texts(ax) if t.startswith("© zaitaku / libcoverage")]
    assert len(credit) == 1 and "テスト出典" in credit[0]
    ax, _ = draw(sample, kind="nursing", title="")
    assert ax.get_title() == ""
    ax, _ = draw(sample, kind="nursing")
    assert ax.get_title() == "16 km 圏内: 訪問看護ステーション"


def test_region_names_are_drawn_once_each(sample):
    ax, _ = draw(sample)
    names = [t.get_text() for t in ax.texts if t.get_gid() == "zaitaku-region-name"]
    assert sorted(names) == sorted(sample.regions.names)


# ---------------------------------------------------------------- geometry

def test_scale_bar_length_is_geodesic(sample):
    ax, _ = draw(sample)
    (line,) = [a for a in ax.lines if a.get_gid() == "zaitaku-scalebar"]
    (label,) = [t for t in ax.texts if t.get_gid() == "zaitaku-scalebar-label"]
    km = float(re.fullmatch(r"([0-9.]+) km", label.get_text()).group(1))
    (lon0, lat0), (lon1, lat1) = line.get_xydata()
    assert lat0 == lat1
    drawn_m = Geod(ellps="GRS80").inv(lon0, lat0, lon1, lat1)[2]
    assert drawn_m == pytest.approx(km * 1000, rel=0.01)
    # independently: the arc of the parallel, N(phi) cos(phi) dlon, which a
    # 20 km geodesic undercuts by far less than 0.1 %
    e2 = GRS80_F * (2 - GRS80_F)
    phi = math.radians(lat0)
    n = GRS80_A / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    arc_m = n * math.cos(phi) * math.radians(lon1 - lon0)
    assert arc_m == pytest.approx(km * 1000, rel=0.001)
    # a round length, about a quarter of the map's width or less
    x0, x1 = ax.get_xlim()
    width_km = Geod(ellps="GRS80").inv(x0, lat0, x1, lat0)[2] / 1000
    assert km in (1, 2, 5, 10, 20, 50, 100, 200, 500)
    assert width_km / 10 <= km <= width_km / 4


def test_aspect_keeps_shapes(sample):
    ax, _ = draw(sample)
    lat0, lat1 = sample.regions.to_geodataframe().total_bounds[[1, 3]]
    assert ax.get_aspect() == pytest.approx(1 / math.cos(math.radians((lat0 + lat1) / 2)))
    # the whole of every region is in view
    x0, y0, x1, y1 = sample.regions.to_geodataframe().total_bounds
    assert ax.get_xlim()[0] < x0 and ax.get_xlim()[1] > x1
    assert ax.get_ylim()[0] < y0 and ax.get_ylim()[1] > y1


def test_nice_lengths():
    # the largest 1, 2 or 5 x 10^k that is at most a quarter of the width
    assert [zplot._nice_km(w) for w in (4, 9, 40, 100, 399, 1000)] == [1, 2, 10, 20, 50, 200]


# ---------------------------------------------------------------- kinds

def test_kind_without_facilities_still_renders(nursing_only, tmp_path):
    for kind in ("zaishin", "doctor_and_nursing", "doctor_any"):
        ax, caught = draw(nursing_only, kind=kind)
        assert facility_entries(ax) == ["訪問看護ステーション (nursing): 12"], kind
        assert glyph_warnings(caught) == []
        # nothing is reached, so no collection is painted in the reached colour
        reached = np.array(matplotlib.colors.to_rgba(zplot.REACHED))
        painted = [c for c in ax.collections
                   if len(c.get_facecolor()) and np.allclose(c.get_facecolor()[0], reached)]
        assert painted == [], kind
    px = image(save_map(nursing_only, tmp_path / "none.png", kind="zaishin", dpi=40))
    assert px.std() > 20


def test_kind_nursing_on_nursing_only(nursing_only):
    ax, _ = draw(nursing_only, kind="nursing")
    reached = np.array(matplotlib.colors.to_rgba(zplot.REACHED))
    assert any(len(c.get_facecolor()) and np.allclose(c.get_facecolor()[0], reached)
               for c in ax.collections)


def test_unknown_kind_is_an_error(sample):
    with pytest.raises(ValueError, match="dentist"):
        plot_analysis(sample, kind="dentist", ax=Figure().add_subplot())


def test_analysis_plot_draws_on_given_axes(sample):
    fig = Figure(figsize=(10, 5), layout="constrained")
    left, right = fig.subplots(1, 2)
    assert sample.plot(kind="nursing", ax=right) is right
    assert right.get_title() == "16 km 圏内: 訪問看護ステーション"
    assert left.get_title() == "" and not left.collections


def test_plot_without_ax_makes_a_pyplot_figure(sample):
    plt = pytest.importorskip("matplotlib.pyplot")
    ax = plot_analysis(sample, kind="nursing", figsize=(5, 4))
    try:
        assert plt.gcf() is ax.figure  # so notebooks show it inline
        assert tuple(ax.figure.get_size_inches()) == (5, 4)
    finally:
        plt.close(ax.figure)


def test_people_layer_is_a_choice_with_its_own_legend_group(sample):
    """people=True shades the uncovered people in classes (their own legend
    group, the land paler beneath); the cells drawn hold every uncovered
    person of the coverage table. The default map stays the map of land."""
    from matplotlib.collections import PolyCollection

    ax, _ = draw(sample, people=True, weight="age75", kind="nursing")
    labels = legend_texts(ax)
    assert labels[0] == "圏外の75歳以上人口（1 km メッシュ）"
    assert "16 km 圏外の土地（空白地域）" in labels
    (cells,) = [c for c in ax.collections if isinstance(c, PolyCollection)
                and c.get_gid() == "zaitaku-people"]
    cov = sample.coverage(weight="age75", area=False)
    cov = cov[cov.kind == "nursing"]
    from zaitaku.maps.people import out_of_reach

    units = out_of_reach(sample, "nursing", weight="age75")
    assert len(cells.get_paths()) == int((units.age75 > 0).sum())
    assert units.age75.sum() == pytest.approx((cov.demand_total - cov.demand_covered).sum())
    plain, _ = draw(sample)
    assert not [c for c in plain.collections if c.get_gid() == "zaitaku-people"]
    assert legend_texts(plain)[0] == "区域"
