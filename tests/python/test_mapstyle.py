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
    fig = rendered(mapstyle.overview_map(data, cov, layer="share"))
    shares = cov[cov.kind == "doctor_and_nursing"].share_covered
    expected = [sum(mapstyle.share_class(s) == i for s in shares) for i in range(4)]
    labels = [t.get_text() for lg in fig.axes[1].get_children()
              if isinstance(lg, matplotlib.legend.Legend) for t in lg.get_texts()]
    got = [int(next(t for t in labels if t.startswith(lab)).split(": ")[1].rstrip("圏域"))
           for lab in mapstyle.SHARE_LABELS]
    assert got == expected and sum(got) == 3


# ---------------------------------------------------------------- people out of reach

def _uncovered_by_brute_force(sample, kind_sets, radius_m=16000.0):
    """Units with no facility of some set of kinds within radius_m
    (geodesic, pyproj), and their total weight: independent of the reach
    table. kind_sets: a unit is out when, for any set, none of its kinds
    is within reach."""
    demand = sample.demand.to_geodataframe()
    regions = sample.reach().drop_duplicates("demand_id").set_index("demand_id").region_id
    demand = demand[demand.demand_id.isin(regions.index[regions.notna() & (regions != "")])]
    fac = sample.facilities.to_geodataframe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        cx, cy = demand.geometry.centroid.x.to_numpy(), demand.geometry.centroid.y.to_numpy()
    out = np.zeros(len(demand), bool)
    for kinds in kind_sets:
        pts = fac[fac.kind.isin(kinds)]
        near = np.zeros(len(demand), bool)
        for x, y in zip(pts.geometry.x, pts.geometry.y):
            d = GEOD.inv(np.full(len(cx), x), np.full(len(cy), y), cx, cy)[2]
            near |= d <= radius_m
        out |= ~near
    return demand[out]


def test_people_out_of_reach_are_the_units_no_facility_reaches(sample):
    from zaitaku.maps import people

    units = people.out_of_reach(sample, "nursing", weight="total")
    brute = _uncovered_by_brute_force(sample, [["nursing"]])
    assert set(units.demand_id) == set(brute.demand_id) and len(units) > 10
    assert units["total"].sum() == pytest.approx(brute["total"].sum())
    # doctor_and_nursing: out when the doctors or the nurses are
    doctors = ["enhanced_single", "enhanced_network", "zaishin", "zaibyo", "backup_hospital",
               "hospital", "clinic"]
    both = people.out_of_reach(sample, "doctor_and_nursing", weight="total")
    brute = _uncovered_by_brute_force(sample, [doctors, ["nursing"]])
    assert set(both.demand_id) == set(brute.demand_id)
    # and against the coverage table: what is not covered
    cov = sample.coverage(area=False)
    cov = cov[cov.kind == "doctor_and_nursing"]
    assert both["total"].sum() == pytest.approx((cov.demand_total - cov.demand_covered).sum())


def test_people_layer_draws_every_uncovered_person_once(data, sample):
    """The cells a map draws hold the uncovered people of its extent: the
    mesh's own cells, or squares that add up to the same total."""
    from zaitaku.maps import people

    layer = data.people
    units = people.out_of_reach(sample, data.kind, weight="total")
    total = units["total"].sum()
    x0, y0, x1, y1 = data.regions.total_bounds
    whole = (x0 - 1000, y0 - 1000, x1 + 1000, y1 + 1000)
    for width_in in (6.76, 0.5):  # native 1 km cells; squares (a small map)
        rings, values, size, native = layer.cells(whole, width_in)
        assert values.sum() == pytest.approx(total)
        assert native == (width_in > 1)
        mm = size * width_in * 25.4 / (whole[2] - whole[0])
        if native:
            assert len(values) == len(units) and size == pytest.approx(1000, rel=0.05)
        else:
            assert mm >= people.GRID_MIN_MM and len(values) < len(units)
            assert all(np.ptp(r, axis=0) == pytest.approx([size, size]) for r in rings)
    rings, values, _, native = layer.cells(whole, 6.76, region_id="9902")
    assert values.sum() == pytest.approx(units[units.region_id == "9902"]["total"].sum())


def test_class_breaks_and_labels():
    from zaitaku.maps import people

    values = np.arange(1, 1001)
    breaks = people.nice_breaks(values)
    # each bound a round number at or below its percentile
    for b, q in zip(breaks[1:], (50, 75, 90, 97)):
        assert b <= np.percentile(values, q) < b * 2.5
        assert str(b).strip("0") in ("1", "2", "5")
    labels = people.class_labels(breaks)
    assert labels[0] == f"1〜{breaks[1] - 1}人" and labels[-1] == f"{breaks[-1]}人以上"
    luma = [0.2126 * r + 0.7152 * g + 0.0722 * b for r, g, b, _ in people.class_colours(5)]
    assert luma == sorted(luma, reverse=True)


@pytest.mark.parametrize("which", ["overview", "9901", "9902", "9903"])
def test_people_legend_and_no_label_collisions(data, sample, which):
    from zaitaku.maps import labels

    fig = (mapstyle.overview_map(data, sample.coverage(area=False)) if which == "overview"
           else mapstyle.region_map(data, which))
    meta = fig.zaitaku_meta
    assert meta["people"] == "圏外の総人口（1 km メッシュ）"
    classes = meta["legend"][meta["legend"].index(meta["people"]) + 1:]
    assert classes[0].startswith("1") and classes[0].endswith("人")
    assert "16 km 圏外の土地（空白地域）" in meta["legend"]
    assert meta["label_collisions"] == 0 == len(labels.label_collisions(rendered(fig)))
    names = [t for t in fig.axes[0].texts if t.get_gid() == "zaitaku-region-name"]
    assert names and not meta["dropped"]


def test_label_collisions_are_counted():
    """Two labels drawn on top of each other count once; the placer moves
    the second clear of the first, or drops it when there is no room."""
    from matplotlib.figure import Figure

    from zaitaku.maps import labels

    font = dict(fontfamily=japanese_font() or "DejaVu Sans", gid="zaitaku-region-name")
    fig = Figure(figsize=(4, 3))
    ax = fig.add_axes([0, 0, 1, 1])
    for _ in range(2):
        ax.text(0.5, 0.5, "重なる", **font)
    ax.text(0.1, 0.1, "離れた", **font)
    assert len(labels.label_collisions(fig)) == 1
    fig = Figure(figsize=(4, 3))
    ax = fig.add_axes([0, 0, 1, 1])
    placer = labels.Placer(ax)
    first = placer.place("札幌", [(0.5, 0.5)], **font)
    second = placer.place("札幌", [(0.5, 0.5)] + labels.around(0.5, 0.5, placer, 30, 16),
                          **font)
    assert first is not None and second is not None
    assert second.get_position() != first.get_position()
    assert labels.label_collisions(fig) == []
    # a third with no free candidate is dropped, and said so
    assert placer.place("旭川", [(0.5, 0.5)], **font) is None and placer.dropped == ["旭川"]
    assert labels.label_collisions(fig) == []


def test_leader_lines_keep_off_labels():
    """A leader line through another label counts as a collision; the
    placer takes a far spot whose leader crosses no label (checked with
    the segment test against boxes by hand: a diagonal through the square
    [4, 6]^2 crosses it, a horizontal line below it does not)."""
    from matplotlib.figure import Figure

    from zaitaku.maps import labels

    assert labels._crosses((0, 0), (10, 10), [4, 4, 6, 6])
    assert not labels._crosses((0, 0), (10, 0), [4, 4, 6, 6])
    assert not labels._crosses((0, 0), (3, 3), [4, 4, 6, 6])
    font = dict(fontfamily=japanese_font() or "DejaVu Sans", gid="zaitaku-region-name")
    fig = Figure(figsize=(4, 3))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    placer = labels.Placer(ax)
    placer.place("札幌", [(5, 5)], **font)
    # crowded at its anchor: the first far spot's leader would cross 札幌
    moved = placer.place("石狩", [(5, 5)], leader_from=(1, 5), far=[(9, 5), (5, 9)], **font)
    assert moved.get_position() == (5, 9) and placer.leadered == ["石狩"]
    assert labels.label_collisions(fig) == []
    line, = ax.plot([0, 10], [5, 5])
    line.set_gid("zaitaku-leader")
    assert labels.label_collisions(fig) == [("leader", "札幌")]


def test_hokkaido_overview_labels_do_not_collide():
    """With the real data present: the Hokkaido overview (21 areas, about
    1,200 facilities, 31 picks' numbers) places every label clear of the
    others, and its people layer holds the people the coverage table
    leaves out."""
    import os
    from pathlib import Path

    shared = Path(os.environ.get("COV_SHARED_DATA", Path(__file__).resolve().parents[3] /
                                 "shared" / "data"))
    if not (shared / "hokkaido_n03_shapefile_cp932").is_dir():
        pytest.skip("the Hokkaido data are not here (COV_SHARED_DATA)")
    from zaitaku.maps import labels
    from zaitaku.report import load_config
    from zaitaku.report.build import build_analysis

    os.environ.setdefault("COV_SHARED_DATA", str(shared))
    cfg = load_config(Path(__file__).resolve().parents[2] / "examples" / "hokkaido_report.toml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        an, _ = build_analysis(cfg)
    data = mapstyle.MapData(an, weight="age75", people_label="75歳以上人口")
    cov = an.coverage(weight="age75", area=False)
    fig = rendered(mapstyle.overview_map(data, cov))
    assert labels.label_collisions(fig) == [] and fig.zaitaku_meta["label_collisions"] == 0
    names = [t for t in fig.axes[0].texts if t.get_gid() == "zaitaku-region-name"]
    assert len(names) + len(fig.zaitaku_meta["dropped"]) == 21 and len(names) >= 19
    both = cov[cov.kind == "doctor_and_nursing"]
    assert data.people.total == pytest.approx((both.demand_total - both.demand_covered).sum())
