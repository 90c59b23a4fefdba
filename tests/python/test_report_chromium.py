"""The sample's report opened in headless Chromium (Debian's chromium): a
screenshot that is not blank, every embedded map decoded at its full size,
and Japanese text drawn in a font that has its glyphs (the font Chromium
actually used, from the DevTools protocol's CSS.getPlatformFontsForNode,
checked glyph by glyph with fontTools).

Chromium is driven over --remote-debugging-pipe (file descriptors 3 and 4,
NUL-separated JSON), so no extra package is needed. Without chromium the
tests skip, unless COV_NEED_CHROMIUM=1 (scripts/test.sh) makes that a
failure. ZAITAKU_SCREENSHOT_DIR keeps the screenshots for a person to look
at (they show only the fictional sample).
"""
import base64
import io
import json
import os
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest

from PIL import Image

import zaitaku

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    if os.environ.get("COV_NEED_CHROMIUM") == "1":
        raise RuntimeError("COV_NEED_CHROMIUM=1 but no chromium: apt-get install chromium")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

JAPANESE_FONTS = {"Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "IPAGothic",
                  "Source Han Sans JP"}


class Browser:
    """Headless Chromium spoken to over the DevTools pipe."""

    def __init__(self, profile):
        r_in, w_in = os.pipe()    # we write, chromium reads on fd 3
        r_out, w_out = os.pipe()  # chromium writes on fd 4, we read

        def child():
            a, b = os.dup(r_in), os.dup(w_out)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--remote-debugging-pipe", "--no-first-run", "--disable-extensions",
             f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(3, 4), preexec_fn=child, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(r_in)
        os.close(w_out)
        self._w, self._r = w_in, r_out
        self._buf, self._n, self.events, self.session = b"", 0, [], None

    def _message(self):
        while b"\0" not in self._buf:
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed the DevTools pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method, params=None, session=True):
        self._n += 1
        msg = {"id": self._n, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._message()
            if reply.get("id") == self._n:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def open(self, url, width, height):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        self.session = self.send("Target.attachToTarget", {"targetId": target["targetId"],
                                                           "flatten": True},
                                 session=False)["sessionId"]
        for domain in ("Page", "DOM", "CSS", "Runtime"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                         "deviceScaleFactor": 1,
                                                         "mobile": False})
        self.send("Page.navigate", {"url": url})
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self.events.append(self._message())

    def evaluate(self, expression):
        return self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                              "awaitPromise": True})["result"]["value"]

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except (EOFError, OSError, RuntimeError):
            pass
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._w)
        os.close(self._r)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    out = tmp_path_factory.mktemp("chromium")
    from zaitaku.report import load_config
    from zaitaku.report import build_report_from_config

    # the sample along roads (isochrones, summer and winter) with planning:
    # every section the report has
    cfg = load_config(Path(__file__).resolve().parents[2] / "examples" /
                      "sample_report_roads.toml")
    cfg["report"].update(formats=["html"], html_dpi=150)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        result = build_report_from_config(cfg, out)
    browser = Browser(out / "profile")
    try:
        browser.open(result.html.as_uri(), 1000, 1400)
        browser.evaluate("document.fonts.ready.then(() => true)")
        yield browser, result
    finally:
        browser.close()


def screenshot(browser, name, full=False):
    params = {"format": "png"}
    if full:
        params["captureBeyondViewport"] = True
        height = browser.evaluate("document.documentElement.scrollHeight")
        params["clip"] = {"x": 0, "y": 0, "width": 1000, "height": height, "scale": 1}
    png = base64.b64decode(browser.send("Page.captureScreenshot", params)["data"])
    keep = os.environ.get("ZAITAKU_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / name).write_bytes(png)
    with Image.open(io.BytesIO(png)) as im:
        return np.asarray(im.convert("RGB"))


def test_screenshot_is_not_blank(page):
    browser, _ = page
    px = screenshot(browser, "report-top.png")
    assert px.shape == (1400, 1000, 3)
    assert px.std() > 25
    colours = {tuple(c) for c in px.reshape(-1, 3)[::5]}
    assert len(colours) > 200  # text, map fills, markers: not a flat page
    # the map's area is drawn: the people out of reach (their classes'
    # colours) and the land within reach are on screen
    from zaitaku.maps.people import class_colours
    from zaitaku.maps.plot import REACHED

    def share_of(colour):
        return (np.abs(px - np.array(colour[:3]) * 255).sum(axis=-1) < 12).mean()

    reached = [int(REACHED[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    assert share_of(reached) > 0.01
    assert sum(share_of(c) for c in class_colours(5)) > 0.0005
    full = screenshot(browser, "report-full.png", full=True)
    assert full.shape[0] > 5000 and full.std() > 25


def test_every_map_image_decodes_at_its_full_size(page):
    browser, result = page
    images = browser.evaluate(
        "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight,"
        " i.getBoundingClientRect().width, i.src.slice(0, 40)])")
    assert len(images) == 4
    html = result.html.read_text(encoding="utf-8")
    embedded = [s.split(",", 1)[1] for s in
                __import__("re").findall(r'src="(data:image/png;base64,[^"]+)"', html)]
    for (complete, w, h, shown, src), data in zip(images, embedded):
        assert complete and src.startswith("data:image/png;base64,")
        with Image.open(io.BytesIO(base64.b64decode(data))) as im:
            assert (w, h) == im.size  # decoded by the browser as written
        assert w == 1050  # 7 in at 150 dpi
        assert shown > 500  # laid out across the page, not a broken-image icon


def _platform_fonts(browser, selector):
    doc = browser.send("DOM.getDocument", {"depth": -1})
    ids = browser.send("DOM.querySelectorAll", {"nodeId": doc["root"]["nodeId"],
                                                "selector": selector})["nodeIds"]
    used = {}
    for node in ids:
        for font in browser.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
            used[font["familyName"]] = used.get(font["familyName"], 0) + font["glyphCount"]
    return used, len(ids)


def test_japanese_text_uses_a_japanese_font_with_every_glyph(page):
    from fontTools.ttLib import TTCollection, TTFont

    browser, _ = page
    used, n = _platform_fonts(browser, "h1, h2, h3, p, th, td, figcaption, li, dt, dd")
    assert n > 100
    japanese = {f for f in used if f in JAPANESE_FONTS}
    assert japanese, f"Japanese text drawn in {used}, none of them a Japanese font"
    # every glyph drawn came from the Japanese font: no fallback to another
    # family (a fallback is how missing glyphs show up), and no tofu font
    assert set(used) == japanese, used
    # and that font has a glyph for every character of the page's text
    text = browser.evaluate("document.body.innerText")
    family = japanese.pop()
    path = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True,
                          text=True, check=True).stdout
    fonts = TTCollection(path).fonts if path.endswith(".ttc") else [TTFont(path)]
    cmap = set()
    for f in fonts:
        if family.replace(" ", "") in f["name"].getDebugName(1).replace(" ", "") or \
                family in f["name"].getDebugName(1):
            cmap = set(f.getBestCmap())
            break
    assert cmap, f"{family} not found in {path}"
    missing = sorted({c for c in text if not c.isspace() and ord(c) not in cmap})
    assert missing == []
    assert any(ord(c) > 0x3000 for c in text)  # the text is Japanese


def test_failed_checks_are_coloured_on_screen(page):
    from zaitaku import planning

    browser, result = page
    colours = browser.evaluate(
        "Array.from(document.querySelectorAll('#policy_checks tr')).slice(1)"
        ".map(r => getComputedStyle(r.cells[0]).backgroundColor)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an = zaitaku.Analysis.sample().with_network(zaitaku.sample_road_grid(), metric="time",
                                                    threshold="30min")
    n_fail = int((planning.check(an, min_share_redundant=0.8).passed == 0).sum())
    assert n_fail > 0
    assert sum(c == "rgb(251, 227, 214)" for c in colours) == n_fail
    assert len(colours) > n_fail  # the passed ones stay white
    # the page is no wider than the window: long reasons wrap
    assert browser.evaluate("document.documentElement.scrollWidth") <= 1000


def test_print_layout_breaks_a_page_per_region(page):
    browser, _ = page
    breaks = browser.evaluate(
        "Array.from(document.querySelectorAll('section.region, section.methods'))"
        ".map(s => getComputedStyle(s).breakBefore)")
    assert breaks == ["page"] * 4
    pdf = base64.b64decode(browser.send("Page.printToPDF", {"preferCSSPageSize": True})["data"])
    assert pdf[:5] == b"%PDF-"
    import re

    boxes = [[float(v) for v in m.split()] for m in
             re.findall(rb"/MediaBox\s*\[([^\]]+)\]", pdf)]
    assert len(boxes) >= 6, boxes  # cover and overview, tables, three regions, methods
    for x0, y0, x1, y1 in boxes:  # A4, 210 x 297 mm, as the CSS asks
        assert (x1 - x0) * 25.4 / 72 == pytest.approx(210, abs=1)
        assert (y1 - y0) * 25.4 / 72 == pytest.approx(297, abs=1)


def test_maps_show_people_out_of_reach_with_no_label_collisions(page):
    """Every map on the page, as the browser lays it out: the people layer's
    legend entries (recorded by the map as drawn, and named in its
    caption), no overlapping labels (counted on the figure with
    matplotlib's renderer), none dropped; and the map's classes are the
    colours seen in its image on screen."""
    import json

    from zaitaku.maps.people import class_colours

    browser, result = page
    figures = browser.evaluate(
        "Array.from(document.querySelectorAll('figure.map')).map(f => [f.dataset.labelCollisions,"
        " f.dataset.labelsDropped, f.dataset.legend, f.querySelector('figcaption').innerText,"
        " f.querySelector('img').alt])")
    assert len(figures) == 4
    for collisions, dropped, legend, caption, alt in figures:
        entries = json.loads(legend)
        people = [e for e in entries if e.startswith("圏外の総人口（")]
        assert len(people) == 1 and people[0] in caption
        classes = entries[entries.index(people[0]) + 1:]
        assert classes[0].startswith("1") and classes[0] in caption
        assert any("圏外の土地" in e for e in entries)
        assert collisions == "0" and dropped == "0"
    assert result.map_meta["overview"]["label_collisions"] == 0
    # the overview's image as the browser decoded it shows the classes' colours
    browser.evaluate("document.querySelector('figure.map').scrollIntoView()")
    px = screenshot(browser, "report-overview.png")
    hits = [(np.abs(px - np.array(c[:3]) * 255).sum(axis=-1) < 16).sum()
            for c in class_colours(5)]
    assert sum(h > 0 for h in hits) >= 3, hits


def _pdf_pages(browser):
    import re

    pdf = base64.b64decode(browser.send("Page.printToPDF", {"preferCSSPageSize": True})["data"])
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_summary_edition_is_the_overview_and_a_page_per_area(tmp_path):
    """summary.html (issue 18: a report to send by mail): the overview and
    one printed A4 page per area, each with the area's map and its shares
    as coverage computes them; the full report's tables are not in it."""
    from zaitaku.report.tables import display_frame

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an = zaitaku.Analysis.sample()
        result = an.report(tmp_path / "report.html", formats=["html"], summary=True,
                           weight="age75")
        cov = an.coverage(weight="age75", area=False)
    assert result.summary == tmp_path / "summary.html" and result.summary in result.paths()
    text = result.summary.read_text(encoding="utf-8")
    full = result.html.read_text(encoding="utf-8")
    assert len(text) < len(full) and "面積の大きい順" in full and "面積の大きい順" not in text
    assert "方法とデータの出典" in full and "方法とデータの出典" not in text
    browser = Browser(tmp_path / "profile")
    try:
        browser.open(result.summary.as_uri(), 1000, 1400)
        browser.evaluate("document.fonts.ready.then(() => true)")
        sections = browser.evaluate(
            "Array.from(document.querySelectorAll('section.region')).map(s => ["
            "s.id, s.querySelectorAll('img.map').length, s.innerText])")
        pages = _pdf_pages(browser)
        # the overview alone, to know how many pages it takes
        browser.evaluate("document.querySelectorAll('section.region, section.credits')"
                         ".forEach(s => s.remove()) || true")
        overview_pages = _pdf_pages(browser)
    finally:
        browser.close()
    regions = list(an.regions.ids)
    assert [s[0] for s in sections] == [f"region-{r}" for r in regions]
    assert all(s[1] == 1 for s in sections)  # each area's map
    assert pages == overview_pages + len(regions) + 1  # a page per area, then the credits
    for (_, _, inner), rid in zip(sections, regions):
        rows = cov[(cov.region_id == rid) & cov.kind.isin(
            ["doctor_any", "nursing", "doctor_and_nursing"])]
        shown = display_frame(rows[["share_covered"]])
        for value in shown.iloc[:, 0]:
            assert str(value) in inner, (rid, value)
