"""The interactive maps: explore()'s offline page (what it holds, checked
against the analysis's own tables; no resource from the network; names
kept as text) opened in headless Chromium (no script error, the toggles
and the zoom change what is drawn), on the sample and on Hokkaido's real
data; and the optional folium map."""
import json
import os
import re
import shutil
import time
import warnings
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import zaitaku
from zaitaku import sample_path
from zaitaku.maps import interactive
from zaitaku.maps.interactive import explore

ROOT = Path(__file__).resolve().parents[2]
SVG_NS = "http://www.w3.org/2000/svg"
HOSTILE = ('</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
           '&amp; "quoted" \u2028 http://example.invalid/x.js')


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def sample():
    return quiet(zaitaku.Analysis.sample)


@pytest.fixture(scope="module")
def sample_map(sample):
    return explore(sample, weight="age75")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The sample with a facility and a region whose names try to break out
    of the page's script and HTML."""
    folder = tmp_path_factory.mktemp("hostile")
    fac = pd.read_csv(sample_path("facilities.csv"), dtype={"facility_id": str})
    fac.loc[0, "name"] = HOSTILE
    areas = pd.read_csv(sample_path("areas.csv"), dtype=str)
    areas.loc[areas.area_code == "9903", "area_name"] = "<b>離島</b><!--"
    areas.to_csv(folder / "areas.csv", index=False)
    munis = zaitaku.read_regions(sample_path("municipalities.shp"), "muni_code", "muni_name")
    regions = munis.dissolve(folder / "areas.csv", "muni_code", "area_code", "area_name")
    facilities = zaitaku.read_facilities(fac, kind_field="kind", name_field="name")
    demand = zaitaku.read_demand(sample_path("population_mesh1km.csv"), mesh_field="mesh_code",
                                 weight_fields=["total"])
    an = quiet(zaitaku.Analysis, regions, facilities, demand)
    return explore(an), fac.loc[0, "facility_id"], an


class _Page(HTMLParser):
    """Every start tag with its attributes, and the text of each script."""

    def __init__(self):
        super().__init__()
        self.tags, self.scripts, self._in = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in = dict(attrs)
            self.scripts.append([dict(attrs), ""])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = None

    def handle_data(self, data):
        if self._in is not None:
            self.scripts[-1][1] += data


def parsed(html):
    p = _Page()
    p.feed(html)
    p.close()
    return p


def page_data(html):
    """The data the page's script draws, as the browser would read it."""
    blobs = [text for attrs, text in parsed(html).scripts if attrs.get("id") == "z-data"]
    assert len(blobs) == 1
    return json.loads(blobs[0])


# ---------------------------------------------------------------- the page

def test_page_needs_no_network(sample_map):
    html = sample_map.html
    p = parsed(html)
    # no element loads anything: no src, no stylesheet link, no href leaving the page
    for tag, attrs in p.tags:
        assert "src" not in attrs, (tag, attrs)
        assert tag not in ("link", "iframe", "img", "object", "embed"), tag
        href = attrs.get("href") or attrs.get("xlink:href")
        assert href is None or href.startswith("#"), (tag, href)
    # the only address anywhere is the SVG namespace (a name, never fetched)
    assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) == {SVG_NS}
    assert not re.search(r"@import|url\((?!#)", html)
    script = "".join(text for attrs, text in p.scripts if "id" not in attrs)
    for call in ("fetch(", "XMLHttpRequest", "import(", "WebSocket", "EventSource",
                 "innerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert call not in script, call
    assert 100_000 > len(html.encode()) > 20_000


def test_page_holds_every_region_with_its_coverage(sample, sample_map):
    data = page_data(sample_map.html)
    cov = sample.coverage(weight="age75", area=False)
    kinds = [k["kind"] for k in data["kinds"]]
    assert kinds[0] == "doctor_and_nursing" and set(kinds) == set(cov.kind)
    regions = sample.regions.to_geodataframe()
    assert [r["id"] for r in data["regions"]] == list(regions.region_id)
    assert [r["name"] for r in data["regions"]] == list(regions.region_name)
    rows = cov.set_index(["region_id", "kind"])
    for r in data["regions"]:
        assert r["d"].startswith("M") and r["d"].endswith("z")
        for k, (share, covered, total) in zip(kinds, r["shares"]):
            row = rows.loc[(r["id"], k)]
            assert share == pytest.approx(row.share_covered, abs=1e-6)
            assert covered == pytest.approx(row.demand_covered, abs=1e-3)
            assert total == pytest.approx(row.demand_total, abs=1e-3)


def test_page_holds_every_facility_with_name_and_kind(sample, sample_map):
    data = page_data(sample_map.html)
    fac = sample.facilities.to_geodataframe()
    kinds = [k["kind"] for k in data["facility_kinds"]]
    got = {f[3]: (f[4], kinds[f[2]]) for f in data["facilities"]}
    assert len(data["facilities"]) == len(fac) == 41
    assert got == {i: (n, k) for i, n, k in zip(fac.facility_id, fac.name, fac.kind)}
    counts = fac.kind.value_counts()
    assert {k["kind"]: k["count"] for k in data["facility_kinds"]} == counts.to_dict()
    assert {k["kind"]: k["label"] for k in data["facility_kinds"]} == {
        k: zaitaku.maps.plot.kind_label(k) for k in counts.index}
    # placed where they are: the page's pixels back to metres, projected independently
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:6668", sample.crs, always_xy=True)
    x, y = t.transform(fac.geometry.x.to_numpy(), fac.geometry.y.to_numpy())
    f0 = data["facilities"][0]
    unit = data["unit_m"]
    dx = (f0[0] - data["facilities"][1][0]) * unit
    assert dx == pytest.approx(x[0] - x[1], abs=1.5 * unit)
    dy = (f0[1] - data["facilities"][1][1]) * unit
    assert dy == pytest.approx(-(y[0] - y[1]), abs=1.5 * unit)


def test_cells_in_reach_add_up_to_coverage(sample):
    """Each populated cell's out-of-reach flags, summed with its weight per
    region, give coverage's demand_covered for every kind."""
    m = explore(sample, weight="age75")
    data = m.data
    kinds = [k["kind"] for k in data["kinds"]]
    masks = interactive._out_of_reach(sample, kinds, None, ["nursing"])
    w = sample.demand.weights("age75")
    ids = sample.demand.points().demand_id
    region = sample.reach(kind="nursing").set_index("demand_id").region_id
    cov = sample.coverage(weight="age75", area=False).set_index(["region_id", "kind"])
    for bit, k in enumerate(kinds):
        covered = {}
        for i, weight in zip(ids, w):
            if i in masks and not masks[i] >> bit & 1:
                covered[region[i]] = covered.get(region[i], 0.0) + weight
        for rid in sample.regions.to_geodataframe().region_id:
            assert covered.get(rid, 0.0) == pytest.approx(cov.loc[(rid, k), "demand_covered"],
                                                          rel=1e-9, abs=1e-9), (rid, k)
    # the page has a square per populated cell of a region, its mask as computed
    flat = np.asarray(data["cells"]["xy"]).reshape(-1, 4)
    populated = [i for i, weight in zip(ids, w) if weight > 0 and i in masks]
    assert len(flat) == len(populated)
    assert sorted(flat[:, 3].tolist()) == sorted(masks[i] for i in populated)
    # the shades follow the weight classes' breaks
    breaks = data["cells"]["breaks"]
    shade = np.searchsorted(breaks, [weight for weight in w if weight > 0], side="right")
    assert np.bincount(flat[:, 2] & 7, minlength=5).tolist() == \
        np.bincount(shade[[i in masks for i, weight in zip(ids, w) if weight > 0]],
                    minlength=5).tolist()
    # a 1 km mesh cell (45" x 30") as long as on the ground, in quarter pixels
    from pyproj import Geod

    lat = float(np.median(sample.demand.points().lat))
    g = Geod(ellps="GRS80")
    (cw, ch), = data["cells"]["sizes"]
    scale = data["unit_m"] / data["cell_step"]
    assert cw * scale == pytest.approx(g.inv(137, lat, 137 + 45 / 3600, lat)[2], rel=0.03)
    assert ch * scale == pytest.approx(g.inv(137, lat, 137, lat + 30 / 3600)[2], rel=0.03)


def test_layers_are_the_service_areas_and_gaps(sample, sample_map):
    data = page_data(sample_map.html)
    keys = [l["key"] for l in data["layers"]]
    assert keys == ["reach-doctor_and_nursing", "reach-doctor_any", "reach-nursing", "gaps"]
    assert all(l["d"] for l in data["layers"])
    # the gaps cover as much of the page as C's gaps (shoelace over the rings)
    gaps = sample.gaps(kind="doctor_and_nursing").to_crs(sample.crs)
    area = _path_area(data["layers"][-1]["d"]) * data["unit_m"] ** 2
    assert area == pytest.approx(gaps.area.sum(), rel=0.03)


def _path_area(d):
    """The even-odd area of an "M x y l dx dy ... z" path, in pixels²."""
    total = 0.0
    for ring in re.findall(r"M([^l]+)l([^z]*)z", d):
        start = [int(v) for v in re.findall(r"-?\d+", ring[0])]
        steps = np.array([int(v) for v in re.findall(r"-?\d+", ring[1])]).reshape(-1, 2)
        pts = np.vstack([start, start + np.cumsum(steps, axis=0)])
        x, y = pts[:, 0], pts[:, 1]
        total += 0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    # exteriors and holes wind oppositely (shapely orients them so)
    return abs(total)


def test_names_stay_text(hostile):
    m, fid, _ = hostile
    html = m.html
    assert html.count("</script") == 2 and html.count("<script") == 2
    assert "<img" not in html and "<b>" not in html and "<!--" not in html
    data = page_data(html)
    assert {f[3]: f[4] for f in data["facilities"]}[fid] == HOSTILE
    assert {r["id"]: r["name"] for r in data["regions"]}["9903"] == "<b>離島</b><!--"


def test_repr_html_is_an_iframe_of_the_page(sample_map):
    frame = parsed(sample_map._repr_html_())
    (tag, attrs), = frame.tags
    assert tag == "iframe" and attrs["srcdoc"] == sample_map.html
    assert attrs["sandbox"] == "allow-scripts"


def test_save_writes_the_page(sample_map, tmp_path):
    path = sample_map.save(tmp_path / "map.html")
    assert path.read_text(encoding="utf-8") == sample_map.html
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_analysis_explore_and_bad_kind(sample):
    m = sample.explore(kind="nursing")
    assert m.data["kinds"][0]["kind"] == "nursing"
    assert m.data["layers"][-1]["label"].endswith("（訪問看護ステーション (nursing)）")
    with pytest.raises(zaitaku.CoverageError, match="dentist"):
        sample.explore(kind="dentist")


# ---------------------------------------------------------------- the report

def test_report_writes_interactive_html_when_asked(tmp_path):
    from zaitaku.report import build_report_from_config, load_config, loads_config

    text = (ROOT / "examples" / "sample_report.toml").read_text(encoding="utf-8")
    with pytest.raises(zaitaku.report.ConfigError, match="report.interactive"):
        loads_config(text.replace("[report]\n", '[report]\ninteractive = "yes"\n'),
                     base=ROOT / "examples")
    cfg = load_config(ROOT / "examples" / "sample_report.toml")
    assert cfg["report"]["interactive"] is False
    cfg["report"].update(formats=["html"], region_pages=False, interactive=True)
    result = quiet(build_report_from_config, cfg, tmp_path / "out")
    page = (tmp_path / "out" / "interactive.html").read_text(encoding="utf-8")
    data = page_data(page)
    assert data["credit"].startswith("© zaitaku / libcoverage; ")
    assert [r["id"] for r in data["regions"]] == ["9901", "9902", "9903"]
    report = result.html.read_text(encoding="utf-8")
    assert '<a href="interactive.html">' in report
    cfg["report"].update(interactive=False)
    quiet(build_report_from_config, cfg, tmp_path / "plain")
    assert not (tmp_path / "plain" / "interactive.html").exists()


# ---------------------------------------------------------------- in a browser

@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        if os.environ.get("COV_NEED_CHROMIUM") == "1":
            raise RuntimeError("COV_NEED_CHROMIUM=1 but no chromium: apt-get install chromium")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from test_report_chromium import Browser

    browser = Browser(tmp_path_factory.mktemp("profile"))
    try:
        yield browser
    finally:
        browser.close()


def _open(browser, path, width=1200, height=800):
    """Opens the page, then loads it again with the network domain on, so
    that every request it makes is seen."""
    browser.events.clear()
    browser.open(Path(path).as_uri(), width, height)
    browser.send("Network.enable")
    browser.events.clear()
    browser.send("Page.reload")
    while not any(e.get("method") == "Page.loadEventFired" for e in browser.events):
        browser.events.append(browser._message())
    assert browser.evaluate("document.documentElement.getAttribute('data-ready')") == "1"


def _errors(browser):
    return [e for e in browser.events if e.get("method") == "Runtime.exceptionThrown" or
            (e.get("method") == "Runtime.consoleAPICalled" and
             e["params"]["type"] in ("error", "assert"))]


def _screenshot(browser, name):
    import base64
    import io

    from PIL import Image

    png = base64.b64decode(browser.send("Page.captureScreenshot", {"format": "png"})["data"])
    keep = os.environ.get("ZAITAKU_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / name).write_bytes(png)
    with Image.open(io.BytesIO(png)) as im:
        return np.asarray(im.convert("RGB")).astype(int)


def test_page_in_chromium(chromium, sample_map, sample, tmp_path):
    path = sample_map.save(tmp_path / "sample.html")
    _open(chromium, path)
    ev = chromium.evaluate
    assert not _errors(chromium)
    # one shape per region, facility and layer, drawn by the page's script
    assert ev("document.querySelectorAll('#z-regions path').length") == 3
    assert ev("document.querySelectorAll('#z-facilities .z-fac').length") == 41
    assert ev("document.querySelectorAll('#z-layers path').length") == 4
    # the region colours: the share class of each region for the first kind
    cov = sample.coverage(weight="age75", area=False)
    first = cov[cov.kind == "doctor_and_nursing"].set_index("region_id").share_covered
    from zaitaku.maps.mapstyle import share_class

    got = ev("Array.from(document.querySelectorAll('#z-regions path')).map("
             "p => [p.dataset.id, +p.dataset.class])")
    assert dict(got) == {r: share_class(s) for r, s in first.items()}
    assert ev("document.getElementById('z-kind').options.length") == len(set(cov.kind))
    # the tooltip of a region says its name and share as coverage has it
    tip = ev("(() => { const p = document.querySelector('#z-regions path[data-id=\"9902\"]');"
             " const b = p.getBoundingClientRect();"
             " p.dispatchEvent(new MouseEvent('mousemove', {bubbles: true,"
             " clientX: b.x + b.width / 2, clientY: b.y + b.height / 2}));"
             " return document.getElementById('z-tip').textContent; })()")
    row = cov[(cov.kind == "doctor_and_nursing") & (cov.region_id == "9902")].iloc[0]
    assert row.region_name in tip and f"{row.share_covered * 100:.1f}%" in tip
    assert f"{round(row.demand_total):,}" in tip
    # the selector recolours by another kind
    ev("(() => { const s = document.getElementById('z-kind'); s.value = "
       f"{[k['kind'] for k in sample_map.data['kinds']].index('nursing')};"
       " s.dispatchEvent(new Event('change')); return true; })()")
    nursing = cov[cov.kind == "nursing"].set_index("region_id").share_covered
    got = ev("Array.from(document.querySelectorAll('#z-regions path')).map("
             "p => [p.dataset.id, +p.dataset.class])")
    assert dict(got) == {r: share_class(s) for r, s in nursing.items()}
    ev("(() => { const s = document.getElementById('z-kind'); s.value = 0;"
       " s.dispatchEvent(new Event('change')); return true; })()")

    # toggles change what is on screen: the gaps' hatch appears, the cells go
    from zaitaku.maps.plot import GAP_HATCH

    def toggle(key):
        ev(f"document.querySelector('input[data-key=\"{key}\"]').click() || true")

    for key in ("cells-in", "cells-out"):
        toggle(key)
    before = _screenshot(chromium, "interactive-sample-nocells.png")
    toggle("gaps")
    assert ev("getComputedStyle(document.querySelector('#z-layers path[data-key=gaps]'))"
              ".display") != "none"
    after = _screenshot(chromium, "interactive-sample-gaps.png")
    changed = np.abs(after - before).max(axis=-1) > 30
    assert changed.mean() > 0.02
    hatch = np.array([int(GAP_HATCH[i:i + 2], 16) for i in (1, 3, 5)])
    # what changed took the gaps' warm colours (the hatch over its pale face)
    assert (after[changed] @ np.array([1, 0, -1])).mean() > 40 and hatch @ [1, 0, -1] > 40
    toggle("gaps")
    for key in ("cells-in", "cells-out"):
        toggle(key)
    cells = _screenshot(chromium, "interactive-sample.png")
    # the cells cover the populated land: much of the screen changes
    assert (np.abs(cells - before).max(axis=-1) > 30).mean() > 0.05
    toggle("facility-nursing")
    assert ev("Array.from(document.querySelectorAll('.z-fac[data-kind=nursing]'))"
              ".every(g => getComputedStyle(g).display === 'none')")
    toggle("facility-nursing")

    # zoom: + scales the world by 1.6 and the scale bar shortens its metres per pixel
    scale = "+document.getElementById('z-world').getAttribute('transform').match(/scale\\(([^)]+)/)[1]"
    k0, m0 = ev(scale), ev("+document.getElementById('z-bar').dataset.metres")
    ev("document.getElementById('z-in').click() || true")
    assert ev(scale) == pytest.approx(k0 * 1.6)
    w0 = ev("+document.querySelector('#z-bar rect').getAttribute('width')")
    assert m0 >= ev("+document.getElementById('z-bar').dataset.metres")
    # the bar's metres over its pixels: ground metres per screen pixel
    mpp = ev("+document.getElementById('z-bar').dataset.metres") / (2 * w0)
    assert mpp == pytest.approx(sample_map.data["ground_m"] / (k0 * 1.6), rel=1e-6)
    ev("document.getElementById('z-home').click() || true")
    assert ev(scale) == pytest.approx(k0)
    assert not _errors(chromium)
    # nothing was asked of the network
    asked = [e["params"]["request"]["url"] for e in chromium.events
             if e.get("method") == "Network.requestWillBeSent"]
    assert all(u.startswith(("file:", "data:", "about:")) for u in asked), asked


def test_hostile_names_in_chromium(chromium, hostile, tmp_path):
    m, fid, _ = hostile
    path = m.save(tmp_path / "hostile.html")
    _open(chromium, path)
    ev = chromium.evaluate
    assert not _errors(chromium)
    assert ev("typeof window.__pwned") == "undefined"
    assert ev("document.querySelectorAll('img, b').length") == 0
    index = [f[3] for f in m.data["facilities"]].index(fid)
    text = ev("(() => { const g = document.querySelectorAll('#z-facilities .z-fac')"
              f"[{index}]; g.dispatchEvent(new MouseEvent('click', {{bubbles: true,"
              " clientX: 300, clientY: 300}));"
              " const p = document.getElementById('z-pop');"
              " return [p.hidden, p.querySelector('div').textContent]; })()")
    assert text == [False, HOSTILE]
    assert ev("typeof window.__pwned") == "undefined"


def test_hokkaido_page_in_chromium(chromium, tmp_path):
    """All Hokkaido (21 areas, 1,207 facilities, the 500 m cells of people
    aged 75+): under 5 MB, drawn without error, looked at."""
    from realdata import DATA, real

    real(DATA / "hokkaido_n03_shapefile_cp932" / "N03-22_01_220101.shp")
    from zaitaku.report import build_analysis, load_config

    cfg = quiet(load_config, ROOT / "examples" / "hokkaido_report.toml")
    an, _ = quiet(build_analysis, cfg)
    t = time.perf_counter()
    m = quiet(explore, an, weight="age75", weight_label="75歳以上人口",
              credit="; ".join(c["text"] for c in cfg["credits"]))
    seconds = time.perf_counter() - t
    size = len(m.html.encode())
    print(f"Hokkaido interactive map: {size / 1e6:.2f} MB in {seconds:.1f} s")
    assert size < 5e6
    data = m.data
    assert len(data["regions"]) == 21 and len(data["facilities"]) == len(an.facilities)
    cov = an.coverage(weight="age75", area=False)
    both = cov[cov.kind == "doctor_and_nursing"].set_index("region_id").share_covered
    assert {r["id"]: r["shares"][0][0] for r in data["regions"]} == pytest.approx(
        both.round(6).to_dict())
    path = m.save(tmp_path / "hokkaido.html")
    _open(chromium, path)
    assert not _errors(chromium)
    px = _screenshot(chromium, "interactive-hokkaido.png")
    assert px.std() > 25
    assert len({tuple(c) for c in px.reshape(-1, 3)[::7]}) > 200
    chromium.evaluate("(() => { const s = document.getElementById('z-svg');"
                      " const b = s.getBoundingClientRect();"
                      " for (let i = 0; i < 3; i++) s.dispatchEvent(new WheelEvent('wheel',"
                      " {deltaY: -300, clientX: b.x + b.width * 0.27, clientY: b.y + b.height * 0.58,"
                      " bubbles: true, cancelable: true})); return true; })()")
    _screenshot(chromium, "interactive-hokkaido-zoomed.png")
    assert not _errors(chromium)


# ---------------------------------------------------------------- folium

def test_folium_map_has_every_region_and_facility(sample):
    folium = pytest.importorskip("folium")
    m = interactive.folium_map(sample, tiles=None)
    layers = [c for c in m._children.values()]
    geojson = [c for c in layers if isinstance(c, folium.GeoJson)]
    regions = json.loads(geojson[0].data) if isinstance(geojson[0].data, str) else geojson[0].data
    shares = {f["properties"]["region_id"]: f["properties"]["share_pct"]
              for f in regions["features"]}
    cov = sample.coverage(area=False)
    both = cov[cov.kind == "doctor_and_nursing"].set_index("region_id").share_covered
    assert shares == {r: round(float(s) * 100, 1) for r, s in both.items()}
    groups = [c for c in layers if isinstance(c, folium.FeatureGroup)]
    markers = sum(len([x for x in g._children.values() if isinstance(x, folium.CircleMarker)])
                  for g in groups)
    assert markers == len(sample.facilities) == 41
    html = m.get_root().render()
    assert json.dumps("中央在宅医療圏")[1:-1] in html or "中央在宅医療圏" in html


def test_folium_popup_escapes_names(hostile):
    pytest.importorskip("folium")
    _, _, an = hostile
    html = interactive.folium_map(an, tiles=None).get_root().render()
    assert "window.__pwned" in html  # the name is there, as text
    assert '<img src=x onerror="window.__pwned=2">' not in html
    assert "&lt;img src=x onerror=" in html.replace("\\u003c", "<").replace("\\u0026", "&")
