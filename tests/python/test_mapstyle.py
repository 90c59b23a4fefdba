"""Print maps (zaitaku.maps.mapstyle): the scale bar's length on the ground, the
north arrow's direction, the resolution, the font, the palette."""
import math
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from PIL import Image  # noqa: E402
from pyproj import CRS, Geod, Proj, Transformer  # noqa: E402

import zaitaku  # noqa: E402
from zaitaku.maps import mapstyle  # noqa: E402
from zaitaku.maps.plot import japanese_font  # noqa: E402

GEOD = Geod(ellps="GRS80")


@pytest.fixture(scope="module")
def sample():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        return zaitaku.Analysis.sample()


@pytest.fixture(scope="module")
def data(sample):
    return mapstyle.MapData(sample)


def rendered(fig):
    FigureCanvasAgg(fig).draw()
    return fig


def bar_ends(fig):
    ax = fig.axes[0]
    (line,) = [ln for ln in ax.lines if ln.get_gid() == "zaitaku-scalebar"]
    (label,) = [t for t in ax.texts if t.get_gid() == "zaitaku-scalebar-label"]
    (x0, x1), (y, _) = line.get_xdata(), line.get_ydata()
    km = float(label.get_text().split()[0])
    return x0, x1, y, km


@pytest.mark.parametrize("which", ["overview", "region"])
def test_scale_bar_is_as_long_as_it_says_in_map_units_and_on_the_ground(data, sample, which):
    fig = (mapstyle.overview_map(data, sample.coverage(area=False)) if which == "overview"
           else mapstyle.region_map(data, "9902"))
    x0, x1, y, km = bar_ends(rendered(fig))
    # map units of the equal-area projection are metres, true near its centre
    assert (x1 - x0) / (km * 1000) == pytest.approx(1.0, rel=0.01)
    # and on the ground: the geodesic between the bar's ends (pyproj)
    inv = Transformer.from_crs(data.crs, "EPSG:6668", always_xy=True)
    (lon0, lon1), (lat0, lat1) = inv.transform([x0, x1], [y, y])
    assert GEOD.inv(lon0, lat0, lon1, lat1)[2] == pytest.approx(km * 1000, rel=1e-4)
    # a round length, a fifth of the map's width or so
    width = np.diff(fig.axes[0].get_xlim())[0]
    assert km in (1, 2, 5, 10, 20, 50, 100, 200) and 0.1 < km * 1000 / width < 0.3


def test_scale_bar_in_mercator_is_longer_than_its_km(sample):
    """In Web Mercator a map metre is cos(lat) metres on the ground, so a
    bar of k km spans k/cos(lat) km of map units."""
    merc = mapstyle.MapData(sample, crs="EPSG:3857")
    x0, x1, y, km = bar_ends(rendered(mapstyle.region_map(merc, "9901")))
    lat = Transformer.from_crs("EPSG:3857", "EPSG:6668", always_xy=True).transform(x0, y)[1]
    assert (x1 - x0) / (km * 1000) == pytest.approx(1 / math.cos(math.radians(lat)), rel=0.01)


def test_geographic_crs_is_refused(sample):
    with pytest.raises(ValueError, match="projected"):
        mapstyle.MapData(sample, crs="EPSG:6668")


@pytest.mark.parametrize("crs", ["EPSG:6677", "EPSG:6680", "EPSG:3099"])
def test_north_arrow_follows_the_meridian_convergence(crs):
    """Against PROJ's own meridian convergence (proj_factors) at a point far
    from the projection's central meridian."""
    lon, lat = 139.0 if crs != "EPSG:3099" else 134.0, 41.0
    x, y = Transformer.from_crs("EPSG:6668", crs, always_xy=True).transform(lon, lat)
    factors = Proj(CRS(crs)).get_factors(lon, lat)
    assert mapstyle.north_angle(crs, x, y) == pytest.approx(-factors.meridian_convergence,
                                                            abs=0.01)


def test_north_arrow_drawn_points_to_true_north(data):
    fig = rendered(mapstyle.region_map(data, "9902"))
    ax = fig.axes[0]
    (arrow,) = [c for c in ax.texts if c.get_gid() == "zaitaku-north"]
    (x0, y0), (x1, y1) = arrow.xyann, arrow.xy
    drawn = math.degrees(math.atan2(x1 - x0, y1 - y0))
    lon, lat = Transformer.from_crs(data.crs, "EPSG:6668", always_xy=True).transform(x0, y0)
    expected = -Proj(data.crs).get_factors(lon, lat).meridian_convergence
    assert drawn == pytest.approx(expected, abs=0.05)


def test_png_at_300_dpi_and_svg(data, tmp_path):
    fig = mapstyle.region_map(data, "9903")
    png = mapstyle.save_figure(fig, tmp_path / "island.png", dpi=300)
    w_in, h_in = fig.get_size_inches()
    with Image.open(png) as im:
        # matplotlib truncates to whole pixels
        assert abs(im.size[0] - w_in * 300) < 1 and abs(im.size[1] - h_in * 300) < 1
        assert im.info["dpi"][0] == pytest.approx(300, abs=0.5)
        px = np.asarray(im.convert("RGB"))
    assert px.std() > 20
    svg = mapstyle.save_figure(fig, tmp_path / "island.svg")
    root = ET.parse(svg).getroot()
    assert root.get("width") == f"{w_in * 72:g}pt"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["island.png", "island.svg"]
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        mapstyle.save_figure(fig, tmp_path / "x.pdf")


def test_japanese_text_uses_a_font_that_has_every_glyph(data, sample):
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    name = japanese_font()
    assert name, "no Japanese font installed (apt-get install fonts-noto-cjk)"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = rendered(mapstyle.overview_map(data, sample.coverage(area=False),
                                             credit="「国土数値情報（行政区域データ）」（国土交通省）を加工して作成"))
    assert not [w for w in caught if "missing from font" in str(w.message)]
    path = font_manager.findfont(font_manager.FontProperties(family=name),
                                 fallback_to_default=False)
    font = FT2Font(str(path))
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]
    drawn = "".join(t.get_text() for t in texts)
    assert "在宅医療圏" in drawn and "国土交通省" in drawn
    for t in texts:
        if any(ord(c) > 0x2E80 for c in t.get_text()):
            assert t.get_fontfamily()[0] == name, t.get_text()
    assert [c for c in set(drawn) if not c.isspace() and not font.get_char_index(ord(c))] == []


def test_share_classes_and_palette():
    assert [mapstyle.share_class(s) for s in (0, 0.4999, 0.5, 0.7999, 0.8, 0.95, 1)] == \
        [0, 0, 1, 1, 2, 3, 3]
    assert mapstyle.share_class(float("nan")) is None
    # cividis classes get darker as the share rises (lightness, Rec. 709 luma)
    luma = [0.2126 * r + 0.7152 * g + 0.0722 * b for r, g, b, _ in mapstyle.share_colours()]
    assert luma == sorted(luma, reverse=True) and luma[0] - luma[-1] > 0.5


def test_overview_legend_counts_regions_per_class(data, sample):
    cov = sample.coverage(area=False)
    fig = rendered(mapstyle.overview_map(data, cov))
    shares = cov[cov.kind == "doctor_and_nursing"].share_covered
    expected = [sum(mapstyle.share_class(s) == i for s in shares) for i in range(4)]
    labels = [t.get_text() for lg in fig.axes[1].get_children()
              if isinstance(lg, matplotlib.legend.Legend) for t in lg.get_texts()]
    got = [int(next(t for t in labels if t.startswith(lab)).split(": ")[1].rstrip("圏域"))
           for lab in mapstyle.SHARE_LABELS]
    assert got == expected and sum(got) == 3
