"""Tables of a report: built from an analysis, shown in HTML with Japanese
headings, and written as CSV (UTF-8 with a BOM, which Excel opens as
UTF-8) and as one Excel workbook (openpyxl) with a sheet per table and a
sheet describing the columns.

Column names stay the stable English ids used by ``coverage.csv``;
:data:`COLUMN_NAMES` gives their Japanese headings.
"""
import warnings

import pandas as pd

from ..columns import COLUMN_HEADINGS, WEIGHT_NAMES, weight_text  # noqa: F401  (report.tables' too)
from ..kinds import KIND_NAMES, kind_name
from ..outputs import as_text, atomic_file  # noqa: F401  (as_text: report.tables' too)
from ..units import percent

#: Japanese headings of the columns the report's tables use: those of the
#: CSVs (zaitaku.columns, copied: tables register theirs here), shorter
#: ones where a report table is narrow, and the report's own columns.
COLUMN_NAMES = {
    **COLUMN_HEADINGS,
    "share_covered": "圏内の割合", "share_redundant": "2か所以上の割合",
    "gap_rank": "順位", "n_cells": "メッシュ数", "total": "計",
    "source": "出典", "n_rows": "件数", "examples": "例",
}
#: How a check's result (planning.check: 1, 0, -1) is shown.
PASSED_TEXT = {1: "適合", 0: "不適合", -1: "対象外"}
#: Names of the policy checks (planning.check's ``check`` column).
CHECK_NAMES = {
    "lead": "積極的役割を担う医療機関の指定", "hub": "連携の拠点の指定",
    "home_care": "在支診・在支病の有無", "rule16": "16 km 圏内（直線）の人口割合",
    "rule16_exception": "16 km 圏外（特例に頼る人口）", "nursing": "訪問看護の圏内割合",
    "redundancy": "2 か所以上の在支診・在支病", "backup": "従来型在支診の後方支援",
    "subareas": "在宅医療圏ごとの指定",
}
#: Columns of long text, wrapped in the HTML.
WRAP_COLUMNS = {"reason", "status", "name"}
#: Checks whose value and target are shares of demand.
SHARE_CHECKS = {"rule16", "nursing", "redundancy"}
#: Columns holding shares (0-1), shown as percentages.
SHARE_COLUMNS = {c for c in COLUMN_NAMES if c.startswith("share_")}
#: Titles of tables the report knows; other modules add theirs (planning,
#: road network) with :func:`register_table`.
TABLE_TITLES = {
    "summary": "圏域別の概要",
    "coverage": "到達範囲の集計（圏域 × 種類）",
    "facilities_by_kind": "圏域別・種類別の施設数",
    "gaps": "空白地域（圏域 × 種類）",
    "gap_areas": "空白地域の区画（面積の大きい順）",
    "policy_checks": "政策チェック（基準と理由）",
    "gap_clusters": "空白地域のクラスター",
    "designation": "指定候補（積極的役割を担う医療機関）",
    "road_coverage": "道路距離・時間による到達範囲",
    "winter_coverage": "冬期の到達範囲",
}


def register_table(key, title, columns=None):
    """Adds a table kind to the report: its title and, optionally,
    Japanese headings of its columns (``{"id": "見出し"}``)."""
    TABLE_TITLES[key] = title
    COLUMN_NAMES.update(columns or {})
    SHARE_COLUMNS.update(c for c in (columns or {}) if c.startswith("share_"))


def summary_table(coverage, kinds):
    """One row per region: id, name, demand, and per kind in ``kinds`` the
    share of demand within reach; then the share of land within reach of
    the last kind."""
    rows = []
    for (rid, name), group in coverage.groupby(["region_id", "region_name"], sort=False):
        by_kind = group.set_index("kind")
        row = {"region_id": rid, "region_name": name,
               "demand_total": float(group["demand_total"].iloc[0])}
        for k in kinds:
            row[f"share_covered:{k}"] = (float(by_kind.at[k, "share_covered"])
                                         if k in by_kind.index else float("nan"))
        if "share_area_covered" in group and kinds[-1] in by_kind.index:
            row[f"share_area_covered:{kinds[-1]}"] = float(
                by_kind.at[kinds[-1], "share_area_covered"])
        rows.append(row)
    return pd.DataFrame(rows)


def facilities_by_kind(coverage, kinds):
    """Region x kind counts of facilities (the real kinds, in the given
    order), with a total column."""
    table = coverage[coverage["kind"].isin(kinds)].pivot_table(
        index=["region_id", "region_name"], columns="kind", values="n_facilities",
        aggfunc="sum", sort=False).reindex(columns=kinds).fillna(0).astype("int64")
    table["total"] = table.sum(axis=1)
    table.columns.name = None
    return table.reset_index()


def gap_areas(data, units, weight_name, limit=None):
    """The gaps of the map kind split into parts (each a connected piece of
    uncovered land), largest first: region, area in km² (in the maps'
    equal-area CRS), the uncovered demand of the part, and a point inside
    it (lon, lat).

    ``units`` are the uncovered demand units (:func:`uncovered_units`);
    each counts in the part holding its point, or, when its point lies
    outside the region's polygon (a coastal cell snapped to it), in the
    nearest part of its region.
    """
    import geopandas as gpd

    cols = ["region_id", "region_name", "gap_rank", "area_km2", "demand_uncovered", "lon", "lat"]
    parts = data.gaps.explode(index_parts=False).reset_index(drop=True)
    parts = parts[~parts.geometry.is_empty]
    if not len(parts):
        return pd.DataFrame(columns=cols)
    parts = parts[["region_id", "region_name", "geometry"]].copy()
    parts["area_km2"] = parts.geometry.area / 1e6
    parts["demand_uncovered"] = 0.0
    pts = units.to_crs(data.crs)
    for rid, group in pts.groupby("region_id"):
        mine = parts[parts.region_id == rid]
        if not len(mine):
            continue
        near = gpd.sjoin_nearest(group[[weight_name, "geometry"]], mine[["geometry"]])
        near = near[~near.index.duplicated()]  # a point on the border of two parts
        sums = near.groupby("index_right")[weight_name].sum()
        parts.loc[sums.index, "demand_uncovered"] += sums.to_numpy()
    inside = parts.geometry.representative_point().to_crs("EPSG:6668")
    parts["lon"], parts["lat"] = inside.x.round(5), inside.y.round(5)
    parts = parts.sort_values(["region_id", "area_km2"], ascending=[True, False])
    parts["gap_rank"] = parts.groupby("region_id").cumcount() + 1
    if limit:
        parts = parts[parts["gap_rank"] <= limit]
    return pd.DataFrame(parts[cols]).reset_index(drop=True)


def uncovered_units(analysis, kind, weight_name, radius=None, nursing_kinds=("nursing",),
                    units=None):
    """The demand units out of reach of kind
    (:func:`zaitaku.maps.people.out_of_reach`, or ``units`` it gave), as
    points: region_id, the weight and the unit's centroid, EPSG:6668."""
    import geopandas as gpd

    from ..maps.people import out_of_reach

    if units is None:
        units = out_of_reach(analysis, kind, weight_name, radius, nursing_kinds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # centroid in lon/lat: cells are rectangles
        centres = units.geometry.centroid
    return gpd.GeoDataFrame(units.drop(columns="geometry"), geometry=centres.values,
                            crs="EPSG:6668")


# ---------------------------------------------------------------- display

def heading(column):
    """A column's Japanese heading; ``share_covered:nursing`` becomes
    ``圏内の割合: 訪問看護ステーション``."""
    base, _, kind = str(column).partition(":")
    text = COLUMN_NAMES.get(base, KIND_NAMES.get(base, base))
    return f"{text}（{kind_name(kind)}）" if kind else text


def display_frame(table):
    """A copy for reading: shares as percentages (never 100.0 unless all),
    counts with thousands separators, kinds by name, Japanese headings."""
    out = pd.DataFrame(index=table.index)
    for col in table.columns:
        base = str(col).partition(":")[0]
        values = table[col]
        if base in SHARE_COLUMNS:
            out[heading(col)] = [f"{percent(v)}%" if percent(v) != "-" else "-" for v in values]
        elif base == "kind":
            out[heading(col)] = [kind_name(v) for v in values]
        elif base == "passed":
            out[heading(col)] = [PASSED_TEXT.get(int(v), str(v)) if v == v else "-"
                                 for v in values]
        elif base == "check":
            out[heading(col)] = [CHECK_NAMES.get(v, v) for v in values]
        elif base in ("value", "target") and "check" in table.columns:
            # a share check's value and target are shares, the others counts
            out[heading(col)] = [(f"{percent(v)}%" if c in SHARE_CHECKS else f"{v:,.0f}")
                                 if v == v else "-" for v, c in zip(values, table["check"])]
        elif base == "factor":
            out[heading(col)] = [f"{v:.3f}" if v == v else "-" for v in values]
        elif base in ("lon", "lat", "centroid_lon", "centroid_lat"):
            out[heading(col)] = [f"{v:.5f}" if v == v else "-" for v in values]
        elif pd.api.types.is_float_dtype(values):
            digits = 1 if base.endswith("km2") or base.startswith("change_") else 0
            # no "-0": a value that rounds to zero is shown as 0
            out[heading(col)] = [f"{(v if round(v, digits) != 0 else 0.0):,.{digits}f}"
                                 if v == v else "-" for v in values]
        elif pd.api.types.is_integer_dtype(values):
            out[heading(col)] = [f"{v:,}" for v in values]
        else:
            out[heading(col)] = values.astype(str)
    return out


def html_table(table):
    """A table as an HTML fragment (text escaped) with class "data";
    numeric columns carry class "num" (right-aligned)."""
    import html

    shown = display_frame(table)
    numeric = [pd.api.types.is_numeric_dtype(table[c]) and str(c).partition(":")[0] not in
               ("lon", "lat", "gap_rank") or str(c).partition(":")[0] in SHARE_COLUMNS
               for c in table.columns]
    numeric = [n or str(c) in ("lon", "lat", "gap_rank") for n, c in zip(numeric, table.columns)]
    # long text (a check's reason, a status) wraps; everything else stays on one line
    wrap = [str(c) in WRAP_COLUMNS for c in table.columns]
    numeric = ["num" if n else ("wrap" if w else "") for n, w in zip(numeric, wrap)]
    cls = lambda n: f' class="{n}"' if n else ""  # noqa: E731
    head = "".join(f"<th{cls(n)}>{html.escape(str(h))}</th>"
                   for h, n in zip(shown.columns, numeric))
    # a failed check (passed == 0) is highlighted, so a reader finds it at a glance
    failed = (table["passed"] == 0).tolist() if "passed" in table.columns else \
        [False] * len(table)
    rows = "".join(("<tr class=\"fail\">" if bad else "<tr>") + "".join(
        f"<td{cls(n)}>{html.escape(str(v))}</td>" for v, n in zip(row, numeric)) + "</tr>"
        for row, bad in zip(shown.itertuples(index=False), failed))
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


# ---------------------------------------------------------------- files

def write_csv(table, path):
    """table as CSV in UTF-8 with a BOM (Excel reads it as UTF-8); text that
    Excel would evaluate as a formula is written as text (:func:`as_text`)."""
    return atomic_file(path, lambda tmp: as_text(table).to_csv(tmp, index=False,
                                                              encoding="utf-8-sig"))


def _sheet_name(key, used):
    name = key[:31]
    i = 2
    while name in used:
        name = f"{key[:28]}_{i}"
        i += 1
    used.add(name)
    return name


def require_writers(formats):
    """Fails before any work when a format's writer is missing (issue 15:
    the report used to die with an ImportError after all the work)."""
    if "xlsx" not in formats:
        return
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise ImportError("the report's Excel tables (format xlsx) need openpyxl, which is not "
                          "installed: pip install openpyxl (or pip install 'zaitaku[report]'), or "
                          "leave xlsx out of formats ([report] formats = [\"html\", \"csv\", "
                          "\"png\"])") from None


def write_xlsx(tables, path):
    """tables ({key: DataFrame}) as one workbook: a sheet per table (named
    by its key), column widths fitted, the header frozen, shares formatted
    as percentages; and a sheet "columns" with each column's heading in
    Japanese. Needs openpyxl."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise ImportError("writing Excel files needs openpyxl: pip install openpyxl "
                          "(or pip install 'zaitaku[report]')") from None
    from openpyxl.utils import get_column_letter

    def write(tmp):
        used = set()
        described = {}
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            for key, table in tables.items():
                name = _sheet_name(key, used)
                table.to_excel(xl, sheet_name=name, index=False)
                sheet = xl.sheets[name]
                # openpyxl makes any text starting with "=" a formula: names
                # are data, so every such cell is set back to text
                for row in sheet.iter_rows():
                    for cell in row:
                        if cell.data_type == "f":
                            cell.data_type = "s"
                sheet.freeze_panes = "A2"
                for j, col in enumerate(table.columns, start=1):
                    described.setdefault(str(col), heading(col))
                    letter = get_column_letter(j)
                    width = max([len(str(col))] + [len(str(v)) for v in table[col].head(200)])
                    sheet.column_dimensions[letter].width = min(max(width + 2, 8), 40)
                    if str(col).partition(":")[0] in SHARE_COLUMNS:
                        for cell in sheet[letter][1:]:
                            cell.number_format = "0.0%"
            cols = pd.DataFrame({"column": list(described), "見出し": list(described.values())})
            cols.to_excel(xl, sheet_name=_sheet_name("columns", used), index=False)

    return atomic_file(path, write)
