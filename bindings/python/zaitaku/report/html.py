"""A report a prefecture can publish: one self-contained HTML file (maps
embedded as data URIs; no network, no external CSS or JavaScript) with an
overview map of coverage by region, a page per region (map, facilities by
kind, coverage, gaps), coverage tables and a methods section with inputs,
thresholds, travel model and data credits; print CSS for A4 with a page
break per region. Tables are also written as CSV and one Excel workbook,
maps as PNG (300 dpi) and SVG.

Sections other modules compute (policy checks, gap clusters, designation
picks, road and winter coverage) plug in two ways: ``extra_tables``
(``{key: DataFrame}``; a table with a ``region_id`` column is also shown,
filtered, on each region's page) and ``extra_sections`` (:class:`Section`
objects), or a builder registered with :func:`register_section` that the
report calls with its :class:`ReportContext`.

Examples
--------
>>> import tempfile, zaitaku
>>> from pathlib import Path
>>> out = Path(tempfile.mkdtemp())
>>> an = zaitaku.Analysis.sample()  # doctest: +SKIP
>>> result = an.report(out / "report.html", formats=["html"])  # doctest: +SKIP
"""
import base64
import datetime as _dt
import html as _html
from pathlib import Path

import pandas as pd

from .._ffi.core import libcoverage_version
from .._version import __version__
from ..kinds import DOCTOR_AND_NURSING, DOCTOR_ANY
from ..maps import mapstyle
from ..maps.people import out_of_reach
from ..outputs import OutputSet
from ..units import percent
from . import sections as report_sections
from . import tables as T
from .context import SECTIONS, ReportContext, ReportResult, Section
from .drawing import draw_maps
from .validation import check_inputs_outside, planning_settings

DEFAULT_KINDS = (DOCTOR_ANY, "nursing", DOCTOR_AND_NURSING)
COVERAGE_SHOWN = ("region_name", "kind", "n_facilities", "demand_total", "demand_covered",
                  "share_covered", "share_redundant", "area_covered_km2", "share_area_covered")
SAMPLE_CREDIT = {"what": "全データ", "text": "サンプル県のデータはすべて架空のものです"
                 "（zaitaku 同梱のサンプル、data/make_sample.py で生成）", "licence": None}


# ---------------------------------------------------------------- helpers

def _e(text):
    return _html.escape(str(text), quote=True)


def _paragraphs(text):
    return "".join(f"<p>{_e(p.strip())}</p>" for p in str(text).split("\n\n") if p.strip())


def _img(png, alt, css_class="map"):
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="{css_class}" alt="{_e(alt)}" src="data:image/png;base64,{data}">'


CSS = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
:root { --ink: #222; --muted: #555; --rule: #bbb; --accent: #0072B2; }
html { font-family: "Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "Hiragino Sans",
       "Hiragino Kaku Gothic ProN", "Yu Gothic", "Meiryo", sans-serif;
       color: var(--ink); font-size: 10.5pt; line-height: 1.6; }
body { max-width: 182mm; margin: 0 auto; padding: 8mm 4mm; background: #fff; }
h1 { font-size: 20pt; margin: 0 0 2mm; line-height: 1.3; }
h2 { font-size: 14pt; border-bottom: 2px solid var(--accent); padding-bottom: 1mm;
     margin: 8mm 0 3mm; }
h3 { font-size: 11.5pt; margin: 5mm 0 2mm; }
p.subtitle { font-size: 12pt; margin: 0; color: var(--muted); }
p.meta { color: var(--muted); margin: 1mm 0 4mm; }
nav ol { columns: 2; margin: 0; padding-left: 6mm; }
img.map { display: block; width: 100%; height: auto; margin: 2mm 0; }
figure { margin: 0; break-inside: avoid; }
figcaption { font-size: 9pt; color: var(--muted); }
table.data { border-collapse: collapse; width: 100%; font-size: 9pt; margin: 2mm 0 4mm;
             font-variant-numeric: tabular-nums; }
table.data th, table.data td { border-bottom: 1px solid var(--rule); padding: 1mm 1.5mm;
                               text-align: left; vertical-align: top; }
table.data .num { text-align: right; }
table.data th { background: #eef3f8; border-bottom: 1.5px solid #777; }
table.data td:not(.num):not(.wrap) { white-space: nowrap; }
table.data td.wrap { white-space: normal; min-width: 30mm; }
table.data tr { break-inside: avoid; }
table.data tr.fail td { background: #fbe3d6; }
table.data tr.fail td:first-child { box-shadow: inset 3px 0 0 #D55E00; }
table.data thead { display: table-header-group; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 4mm; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
.note { font-size: 9pt; color: var(--muted); }
section.region, section.methods { break-before: page; }
section.overview h2 { break-before: avoid; }
@media print {
  body { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  nav { break-after: page; }
  table.data tr.fail td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


#: The summary edition: a region's map and table on one A4 page (the
#: printable height is 267 mm; the heading and the table take the rest).
SUMMARY_CSS = """
section.region img.map { max-height: 180mm; width: auto; max-width: 100%; margin: 2mm auto; }
section.region { break-inside: avoid; }
section.region h2 { margin-top: 0; }
section.credits { break-before: page; }
"""

#: The summary edition's file name.
SUMMARY_NAME = "summary.html"


# ---------------------------------------------------------------- build

def _credits(analysis, config, credits):
    if credits is not None:
        items = credits
    elif config is not None and config.get("credits"):
        items = config["credits"]
    elif _is_sample(analysis):
        items = [SAMPLE_CREDIT]
    else:
        items = []
    return [c if isinstance(c, dict) else {"text": str(c), "what": None, "licence": None}
            for c in items]


def _is_sample(analysis):
    from ..sample import sample_dir

    try:
        folder = str(sample_dir())
    except FileNotFoundError:
        return False
    return str(analysis.regions.source).startswith(folder)


def build_report(analysis, out_dir, *, title=None, subtitle=None, organisation=None, date=None,
                 kinds=DEFAULT_KINDS, map_kind=DOCTOR_AND_NURSING, weight=None, radius=None,
                 formats=("html", "csv", "xlsx", "png", "svg"), html_name="report.html",
                 map_dpi=300, html_dpi=150, region_pages=True, region_label="在宅医療圏",
                 credits=None, config=None, notes=None, extra_tables=None,
                 extra_sections=None, crs=None, nursing_kinds=("nursing",), planning=None,
                 jobs=None, summary=False):
    """Writes the report of an analysis into out_dir; returns a
    :class:`ReportResult`. See :meth:`zaitaku.Analysis.report`.

    ``planning`` (True, or a dict of ``[planning]`` keys, see
    docs/report.md) adds policy checks, gap clusters and designation picks
    (and sites) to the report; with a configuration its ``[planning]``
    table is used. ``jobs``: processes drawing the maps (default: the
    cores available, at most 4; 1 draws them here, one by one).
    ``summary``: also write summary.html, the overview and one page per
    region (map and shares), to send by mail."""
    formats = list(formats)
    unknown = sorted(set(formats) - {"html", "csv", "xlsx", "png", "svg"})
    if unknown:
        raise ValueError(f"unknown report format(s) {', '.join(unknown)}; "
                         "expected html, csv, xlsx, png, svg")
    T.require_writers(formats)
    out_dir = Path(out_dir)
    weight_name = analysis.demand.weight_name(weight)
    coverage = analysis.coverage(radius=radius, weight=weight)
    kinds = [k for k in kinds if k in set(coverage["kind"])] or [map_kind]
    real_kinds = [k for k in coverage["kind"].unique() if k not in (DOCTOR_ANY, DOCTOR_AND_NURSING)]
    # the people out of reach: found once, drawn on the maps and counted per gap
    units = out_of_reach(analysis, map_kind, weight_name, radius, nursing_kinds) \
        if weight_name else False
    data = mapstyle.MapData(analysis, kind=map_kind, radius=radius, crs=crs, weight=weight_name,
                            people=units, people_label=T.weight_text(weight_name))
    if config is not None:
        plan = config.get("planning")
    else:
        plan = planning_settings(planning)
    ctx = ReportContext(analysis, config, coverage, data, weight=weight, planning=plan,
                        notes=notes or {}, kinds=list(kinds))
    credit_items = _credits(analysis, config, credits)
    credit_line = "; ".join(c["text"] for c in credit_items)

    tables = {
        "summary": T.summary_table(coverage, kinds),
        "coverage": coverage,
        "facilities_by_kind": T.facilities_by_kind(coverage, real_kinds),
        "gaps": pd.DataFrame(data.gaps.drop(columns="geometry")),
        "gap_areas": T.gap_areas(data, T.uncovered_units(analysis, map_kind, weight_name,
                                                           units=units), weight_name)
        if weight_name else pd.DataFrame(),
    }
    sections = list(extra_sections or [])
    for key, value in (extra_tables or {}).items():
        title_, frame = value if isinstance(value, tuple) else (T.TABLE_TITLES.get(key, key),
                                                                  value)
        sections.append(Section(key=key, title=title_, table=frame))
    from .build import interactive_section
    from .enhanced import enhanced
    from .forecast import forecast

    for name, builder in {"interactive": interactive_section, "enhanced_coverage": enhanced,
                          "forecast": forecast, **report_sections.BUILDERS, **SECTIONS}.items():
        made = builder(ctx)
        if made is not None:
            sections.append(made)
    for s in sections:
        if s.key in tables:
            raise ValueError(f"extra section {s.key!r} clashes with a table of the report "
                             f"({', '.join(tables)})")
        if s.table is not None:
            tables[s.key] = s.table
    result = ReportResult(tables=tables)

    # Every file goes into a staging folder and is renamed into place at
    # the end: a report that fails half-way leaves the previous one whole,
    # and no output may replace an input of the analysis.
    with OutputSet(analysis.context, out_dir) as out:
        # maps: each made and drawn once, written as files and embedded,
        # in worker processes while the tables are written here
        makers = [("overview", lambda: mapstyle.overview_map(data, coverage,
                                                             credit=credit_line))]
        for rid in (list(data.regions.region_id) if region_pages else []):
            makers.append((f"region_{rid}", lambda rid=rid: mapstyle.region_map(
                data, rid, credit=credit_line)))
        maps = []
        for name, make in makers:
            paths = {fmt: out.path(f"maps/{name}.{fmt}") for fmt in ("png", "svg")
                     if fmt in formats}
            result.maps += [out_dir / "maps" / f"{name}.{fmt}" for fmt in paths]
            maps.append((name, make, paths))

        def write_tables():
            if "csv" in formats:
                for key, table in tables.items():
                    T.write_csv(table, out.path(f"tables/{key}.csv"))
                    result.csv[key] = out_dir / "tables" / f"{key}.csv"
            if "xlsx" in formats:
                T.write_xlsx(tables, out.path("tables.xlsx"))
                result.xlsx = out_dir / "tables.xlsx"

        drawn = draw_maps(maps, formats, map_dpi, html_dpi, jobs=jobs, meanwhile=write_tables)
        pngs = {name: png for name, (png, _) in drawn.items() if png is not None}
        result.map_meta.update({name: meta for name, (_, meta) in drawn.items()})
        if "html" in formats:
            meta = dict(title=title or "在宅医療の到達範囲と空白地域", subtitle=subtitle,
                        organisation=organisation, date=date or _dt.date.today().isoformat(),
                        region_label=region_label, kinds=kinds, map_kind=map_kind,
                        weight_name=weight_name, credits=credit_items, notes=notes or {},
                        html_dpi=html_dpi)
            page = _render(ctx, tables, sections, pngs, meta, result)
            out.path(html_name).write_text(page, encoding="utf-8")
            result.html = out_dir / html_name
            if summary:
                out.path(SUMMARY_NAME).write_text(
                    _render_summary(ctx, tables, pngs, meta, result, html_name),
                    encoding="utf-8")
                result.summary = out_dir / SUMMARY_NAME
        for name, text in ctx.store.get("files", {}).items():  # e.g. interactive.html
            out.path(name).write_text(text, encoding="utf-8")
        out.commit()
    return result


# ---------------------------------------------------------------- HTML

def _render(ctx, tables, sections, pngs, meta, result):
    data = ctx.maps
    km = data.reach_text
    regions = data.regions
    parts = [f"<header><h1>{_e(meta['title'])}</h1>"]
    if meta["subtitle"]:
        parts.append(f'<p class="subtitle">{_e(meta["subtitle"])}</p>')
    who = " ・ ".join(x for x in (meta["organisation"], str(meta["date"])) if x)
    parts.append(f'<p class="meta">{_e(who)}</p></header>')
    toc = [("overview", "概要と全体図"), ("tables", "到達範囲の集計")]
    toc += [(s.key, s.title) for s in sections if s.where == "main"]
    if "region_" + str(regions.region_id.iloc[0]) in pngs:
        toc += [(f"region-{rid}", f"{name}") for rid, name in
                zip(regions.region_id, regions.region_name)]
    toc.append(("methods", "方法とデータの出典"))
    parts.append("<nav><h2>目次</h2><ol>" + "".join(
        f'<li><a href="#{_e(a)}">{_e(t)}</a></li>' for a, t in toc) + "</ol></nav>")

    # overview
    parts.append('<section class="overview" id="overview"><h2>概要と全体図</h2>')
    parts += _overview(ctx, pngs, meta, result)
    kind_text = T.kind_name(meta["map_kind"])
    parts.append(f"<h3>{_e(T.TABLE_TITLES['summary'])}</h3>" + T.html_table(tables["summary"]))
    parts.append("</section>")

    # coverage tables
    parts.append('<section class="tables" id="tables"><h2>到達範囲の集計</h2>')
    # the long table, narrowed for a page (CSV and Excel have every column)
    shown = tables["coverage"][[c for c in COVERAGE_SHOWN if c in tables["coverage"]]]
    parts.append(f"<h3>{_e(T.TABLE_TITLES['coverage'])}</h3>" + T.html_table(shown))
    fk = tables["facilities_by_kind"].drop(columns="region_id")
    parts.append(f"<h3>{_e(T.TABLE_TITLES['facilities_by_kind'])}</h3>" + T.html_table(fk))
    parts.append("</section>")
    for s in sections:
        if s.where == "main":
            parts.append(_section_html(s, meta["html_dpi"]))

    # region pages
    cov = ctx.coverage
    for rid, name in zip(regions.region_id, regions.region_name):
        key = f"region_{rid}"
        if key not in pngs:
            continue
        parts.append(f'<section class="region" id="region-{_e(rid)}">'
                     f"<h2>{_e(name)}（{_e(rid)}）</h2>")
        parts.append(_region_figure(key, name, pngs, km, kind_text, result))
        rc = cov[cov.region_id == rid]
        fk = tables["facilities_by_kind"]
        counts = fk[fk.region_id == rid].drop(columns=["region_id", "region_name"])
        if len(counts):
            counts = counts.T.reset_index()
            counts.columns = ["kind", "n_facilities"]
            counts = counts[counts.kind != "total"]
            parts.append("<h3>種類別の施設数</h3>" + T.html_table(counts))
        cols = ["kind", "n_facilities", "demand_total", "demand_covered", "share_covered",
                "share_redundant", "share_area_covered"]
        parts.append("<h3>到達範囲</h3>" + T.html_table(rc[[c for c in cols if c in rc]]))
        ga = tables["gap_areas"]
        ga = ga[ga.region_id == rid].head(10) if len(ga) else ga
        parts.append(f"<h3>空白地域（{_e(kind_text)}、面積の大きい順）</h3>")
        if len(ga):
            parts.append(T.html_table(ga.drop(columns=["region_id", "region_name"])))
        else:
            parts.append(f"<p>空白地域はありません（{_e(km)} 圏内に全域が入ります）。</p>")
        for s in sections:
            if s.table is not None and "region_id" in s.table.columns and s.region_pages:
                sub = s.table[s.table.region_id.astype(str) == str(rid)]
                if len(sub):
                    parts.append(f"<h3>{_e(s.title)}</h3>" + _limited_table(
                        sub.drop(columns=[c for c in ("region_id", "region_name")
                                          if c in sub.columns]), s.html_rows))
        parts.append("</section>")

    parts.append(_methods(ctx, meta, result, sections))
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(meta['title'])}</title><style>{CSS}</style></head>"
            f"<body>\n{body}\n</body></html>\n")


def _overview(ctx, pngs, meta, result):
    """The overview's opening: what was measured, the share within reach
    and the overview map (both editions)."""
    an, data = ctx.analysis, ctx.maps
    km = data.reach_text
    how = "直線 " if an.network is None else ""
    label = meta["region_label"]
    regions = data.regions
    parts = []
    kind_text = T.kind_name(meta["map_kind"])
    total = ctx.coverage[ctx.coverage.kind == meta["map_kind"]]
    share = total.demand_covered.sum() / total.demand_total.sum() if len(total) else float("nan")
    parts.append(f"<p>{len(regions)} の{_e(label)}、{len(an.facilities):,} 施設、"
                 f"{len(an.demand):,} の需要単位"
                 f"（{_e(T.weight_text(meta['weight_name']))}）について、"
                 f"施設から{how}{_e(km)} 以内に住む人口の割合を求めました。"
                 f"{_e(kind_text)}の {_e(km)} 圏内に住む人口は全体の "
                 f"<strong>{percent(share)}%</strong> です。</p>")
    if "overview" in pngs:
        meta_o = result.map_meta.get("overview", {})
        if meta_o.get("people"):
            alt = f"全体図: {km} 圏外に住む{T.weight_text(meta['weight_name'])}"
            caption = (f"{km} 圏外（{kind_text}）に住む人の分布。{_people_text(meta_o)}"
                       "淡い斜線は圏外の土地、青は圏内の土地。ラベルは圏域名と圏内人口の割合。")
        else:
            alt = "全体図: 圏域別の圏内人口割合"
            caption = f"圏域ごとの {km} 圏内人口の割合（{kind_text}）。色は 4 段階（cividis）。"
        parts.append(_map_figure(pngs["overview"], alt, caption, meta_o))
    return parts


def _region_figure(key, name, pngs, km, kind_text, result):
    meta_r = result.map_meta.get(key, {})
    caption = (f"{km} 圏外（{kind_text}）に住む人の分布。{_people_text(meta_r)}"
               "淡い斜線は圏外の土地（空白地域）、青は圏内の土地。施設は種類別の記号。"
               if meta_r.get("people") else
               f"{km} 圏内（{kind_text}）と空白地域、施設。")
    return _map_figure(pngs[key], f"{name} の地図", caption, meta_r)


def _render_summary(ctx, tables, pngs, meta, result, full_name):
    """The summary edition (issue 18: a report one can send by mail): the
    overview and one A4 page per region, its map and its shares within
    reach, then the credits; the tables, gap lists and methods stay in the
    full report (full_name), named at the end."""
    data = ctx.maps
    km, kind_text = data.reach_text, T.kind_name(meta["map_kind"])
    parts = [f"<header><h1>{_e(meta['title'])}（要約版）</h1>"]
    if meta["subtitle"]:
        parts.append(f'<p class="subtitle">{_e(meta["subtitle"])}</p>')
    who = " ・ ".join(x for x in (meta["organisation"], str(meta["date"])) if x)
    parts.append(f'<p class="meta">{_e(who)}</p></header>')
    parts.append('<section class="overview" id="overview"><h2>概要と全体図</h2>')
    parts += _overview(ctx, pngs, meta, result)
    parts.append(f"<h3>{_e(T.TABLE_TITLES['summary'])}</h3>" + T.html_table(tables["summary"]))
    parts.append("</section>")
    cov = ctx.coverage
    cols = ["kind", "n_facilities", "demand_total", "demand_covered", "share_covered"]
    for rid, name in zip(data.regions.region_id, data.regions.region_name):
        key = f"region_{rid}"
        if key not in pngs:
            continue
        rc = cov[(cov.region_id == rid) & cov.kind.isin(meta["kinds"])]
        parts.append(f'<section class="region" id="region-{_e(rid)}">'
                     f"<h2>{_e(name)}（{_e(rid)}）</h2>"
                     + _region_figure(key, name, pngs, km, kind_text, result)
                     + T.html_table(rc[[c for c in cols if c in rc]]) + "</section>")
    parts.append('<section class="credits"><h2>データの出典</h2>' + _credit_list(meta)
                 + f'<p class="note">表の全体、空白地域の一覧、方法は {_e(full_name)} に'
                 "あります。</p></section>")
    return (f'<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(meta['title'])}（要約版）</title><style>{CSS}{SUMMARY_CSS}</style>"
            f"</head><body>\n" + "\n".join(parts) + "\n</body></html>\n")


def _people_text(meta):
    """The people layer's legend as a sentence: its heading and classes."""
    entries = meta.get("legend") or []
    title = meta.get("people")
    if not title or title not in entries:
        return ""
    start = entries.index(title) + 1
    classes = []
    for entry in entries[start:]:
        if not entry.endswith("人") and not entry.endswith("人以上"):
            break
        classes.append(entry)
    return f"色は{title}: {'、'.join(classes)}。"


def _map_figure(png, alt, caption, meta):
    """A map with its caption; the labels the map had no room for are
    named there. data-* attributes keep what the map says of itself (its
    legend's entries, its count of overlapping labels) for checks."""
    import json

    dropped = meta.get("dropped") or []
    if dropped:
        caption += ("（場所がなく省いたラベル: " + "、".join(d.replace("\n", " ") for d in dropped)
                    + "）")
    attrs = ""
    if meta:
        attrs = (f' data-label-collisions="{int(meta.get("label_collisions", 0))}"'
                 f' data-labels-dropped="{len(dropped)}"'
                 f' data-legend="{_e(json.dumps(meta.get("legend") or [], ensure_ascii=False))}"')
    return (f'<figure class="map"{attrs}>{_img(png, alt)}'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def _section_html(s, dpi):
    out = [f'<section class="extra" id="{_e(s.key)}"><h2>{_e(s.title)}</h2>']
    out.append(_paragraphs(s.text))
    for fig in s.figures:
        out.append(f"<figure>{_img(mapstyle.figure_png_bytes(fig, dpi), s.title)}</figure>")
    if s.table is not None:
        out.append(_limited_table(s.table, s.html_rows))
    out.append(s.html)
    out.append("</section>")
    return "".join(out)


def _limited_table(table, rows):
    if rows is None or len(table) <= rows:
        return T.html_table(table)
    return (T.html_table(table.head(rows)) +
            f'<p class="note">上位 {rows} 件を表示（全 {len(table):,} 件は CSV・Excel に）。</p>')


def _crs_text(crs, definition):
    """A CRS's name, or its definition when it has none (the analysis's
    own equal-area projection is a PROJ string)."""
    if crs.name and crs.name != "unknown":
        return crs.name
    return str(definition)


def _source(source):
    """A source as the report names it: a file's name (never the folders of
    the machine that made it), or what the object was."""
    text = str(source)
    return Path(text).name if ("/" in text or "\\" in text) else text


def _methods(ctx, meta, result, sections):
    an, data, cfg = ctx.analysis, ctx.maps, ctx.config
    km = data.reach_text
    facts = []
    road_model = None
    if an.network is not None:
        metric, winter = an.metric, an.winter
        road_model = ("道路網上の所要時間（車、道路種別の速度" + ("・冬期速度" if winter else "")
                      + "。詳しくは下の「道路網」）") if metric == "time" else \
            "道路網上の距離（最短経路。詳しくは下の「道路網」）"
    if cfg is not None:
        travel = cfg["travel"]
        if road_model:
            model = road_model
        elif travel["model"] == "detour":
            model = (f"直線距離 × 迂回係数 {travel['detour_factor']:g}（道路距離 "
                     f"{_e(cfg['analysis']['radius'])} ≒ 直線 {km}）")
        else:
            model = "直線距離（GRS80 楕円体上の測地線距離。往診の 16 km ルールと同じ）"
        scen = cfg["scenario"]
        facts.append(("設定ファイル", Path(cfg["file"]).name))
        if scen["name"] or scen["year"]:
            facts.append(("シナリオ", " ".join(str(x) for x in (scen["name"], scen["year"]) if x)
                          + f"（{'冬期' if scen['season'] == 'winter' else '夏期'}）"))
    else:
        model = road_model or "直線距離（GRS80 楕円体上の測地線距離。往診の 16 km ルールと同じ）"
    facts += [
        ("移動モデル", model),
        ("到達の基準", f"施設から {km} 以内。メッシュは中心点が圏内なら人口全体を圏内とする"
         + ("。往診の 16 km ルールは道路網を使う場合も常に直線距離で判定"
            if an.network is not None else "")),
        ("冗長性", "同じ種類の施設が 2 か所以上圏内（24 時間の当番体制に必要）"),
        ("人口の重み", T.weight_text(meta["weight_name"], with_id=True) or "-"),
        ("医師の種類 (doctor_any)", "在支診・在支病・機能強化型・後方支援病院・病院・診療所など"
                                    "医師のいる施設のいずれか"),
        ("医師と訪問看護 (doctor_and_nursing)", "医師の種類の施設と訪問看護ステーションの両方が圏内"),
        ("面積と地図の投影", _crs_text(data.crs, an.crs) + "（面積は正積投影で計算）"),
        ("ソフトウェア", f"zaitaku {__version__}（libcoverage {libcoverage_version}）"),
        ("作成日", str(meta["date"])),
    ]
    parts = ['<section class="methods" id="methods"><h2>方法とデータの出典</h2>',
             "<h3>入力データ</h3>"]
    inputs = [("圏域", _source(an.regions.source), f"{len(an.regions)} 圏域"),
              ("施設", _source(an.facilities.source), f"{len(an.facilities):,} 施設"),
              ("需要（人口）", _source(an.demand.source), f"{len(an.demand):,} 単位")]
    if cfg is not None:
        p = cfg["paths"]
        inputs = [("圏域", Path(p["regions.path"]).name
                   + (f" → {Path(p['regions.map']).name}" if cfg["regions"]["map"] else ""),
                   f"{len(an.regions)} 圏域")]
        for src, n in (meta["notes"].get("facilities_by_source") or {}).items():
            inputs.append(("施設", src, f"{n:,} 施設"))
        inputs.append(("需要（人口）", cfg["demand"]["label"] or Path(p["demand.path"]).name,
                       f"{len(an.demand):,} 単位"))
    parts.append("<table class=\"data\"><thead><tr><th>区分</th><th>データ</th><th>件数</th>"
                 "</tr></thead><tbody>" + "".join(
                     f"<tr><td>{_e(a)}</td><td>{_e(b)}</td><td>{_e(c)}</td></tr>"
                     for a, b, c in inputs) + "</tbody></table>")
    for title, key in (("施設の所在地", "facility_notes"), ("需要（人口）データ", "demand_notes")):
        lines = meta["notes"].get(key) or []
        if lines:
            parts.append(f"<h3>{title}</h3><ul>" + "".join(f"<li>{_e(n)}</li>" for n in lines)
                         + "</ul>")
    dropped = meta["notes"].get("dropped_facilities") or []
    if dropped:
        parts.append("<h3>除外した施設データ</h3><ul>" + "".join(
            f"<li>{_e(key)}: {n} 件（{_e(reason)}）例: {_e(', '.join(map(str, ex)))}</li>"
            for key, n, reason, ex in dropped) + "</ul>")
    unassigned = an.unassigned
    if len(unassigned):
        parts.append(f'<p class="note">どの圏域にも入らない需要単位 {len(unassigned):,} '
                     "件は集計から除きました（海上・県外など）。</p>")
    parts.append("<h3>基準と方法</h3><dl class=\"facts\">" + "".join(
        f"<dt>{_e(a)}</dt><dd>{_e(b)}</dd>" for a, b in facts) + "</dl>")
    for s in sections:
        if s.where == "methods":
            parts.append(_section_html(s, meta["html_dpi"]))
    parts.append("<h3>データの出典</h3>" + _credit_list(meta))
    files = ["tables/*.csv（UTF-8 BOM 付き）" if result.csv else None,
             "tables.xlsx" if result.xlsx else None,
             "maps/*.png（印刷用）・maps/*.svg" if result.maps else None]
    files = [f for f in files if f]
    if files:
        parts.append(f'<p class="note">同じ表と地図のファイル: {_e("、".join(files))}</p>')
    parts.append("</section>")
    return "".join(parts)


def _credit_list(meta):
    """The data credits as a list (what, text and licence of each), in both
    editions; a line asking for them when there are none."""
    items = []
    for c in meta["credits"]:
        line = (f"{c['what']}: " if c.get("what") else "") + c["text"]
        if c.get("licence"):
            line += f"（{c['licence']}）"
        items.append(f"<li>{_e(line)}</li>")
    if not meta["credits"]:
        items.append("<li>（出典が設定されていません: 設定ファイルの [[credits]] に記入してください）"
                     "</li>")
    return '<ul class="credits">' + "".join(items) + "</ul>"


def build_report_from_config(cfg, out_dir=None):
    """The report a validated configuration (:func:`zaitaku.report.load_config`)
    describes, written to out_dir (default its ``report.output_dir``)."""
    import tempfile

    from .build import build_analysis

    T.require_writers(cfg["report"]["formats"])  # before reading anything
    out_dir = out_dir if out_dir is not None else cfg["paths"]["report.output_dir"]
    check_inputs_outside(cfg, out_dir)
    with tempfile.TemporaryDirectory(prefix="zaitaku-roads-") as work:
        analysis, notes = build_analysis(cfg, work_dir=work)
    rep, ana = cfg["report"], cfg["analysis"]
    return build_report(
        analysis, out_dir,
        title=rep["title"], subtitle=rep["subtitle"], organisation=rep["organisation"],
        date=rep["date"], kinds=ana["kinds"], map_kind=ana["map_kind"],
        weight=cfg["demand"]["weight"], formats=rep["formats"], map_dpi=rep["map_dpi"],
        html_dpi=rep["html_dpi"], region_pages=rep["region_pages"],
        region_label=rep["region_label"], config=cfg, notes=notes,
        nursing_kinds=ana["nursing_kinds"] or ("nursing",), jobs=rep["jobs"] or None,
        summary=rep["summary"])

