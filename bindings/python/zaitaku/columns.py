"""What the columns of zaitaku's tables are called in Japanese, and how a
weight column is named, for tables a council reads (``--headers ja``,
``headers="ja"``).

Column ids stay the stable English names of ``coverage.csv`` and the other
outputs; :func:`japanese_headers` gives their Japanese headings. A heading
that counts demand says which demand: 人口 becomes the weight's name
(「75歳以上人口」 for ``age75``), so a table read alone says what its
figures and shares count.
"""

#: Japanese names of the weight columns the readers give (e-Stat mesh,
#: the sample); other names are kept as given.
WEIGHT_NAMES = {"total": "総人口", "age65": "65歳以上人口", "age75": "75歳以上人口",
                "age85": "85歳以上人口", "households": "世帯数", "male": "男性人口",
                "female": "女性人口"}

#: The word of the headings below that the weight's name replaces.
DEMAND_WORD = "人口"

#: Japanese headings of every column the commands write (coverage, reach,
#: check, plan, sites, their companions). 人口 is replaced by the weight's
#: name when it is known.
COLUMN_HEADINGS = {
    # areas and kinds
    "region_id": "圏域コード", "region_name": "圏域名", "kind": "種類", "kind_name": "種類（名称）",
    "n_facilities": "施設数", "scenario": "シナリオ", "weight": "集計の対象",
    "threshold": "到達の基準", "weight_column": "集計した列",
    # coverage.csv
    "demand_total": "人口", "demand_covered": "圏内の人口",
    "share_covered": "圏内の人口割合",
    "demand_redundant": "2か所以上の圏内の人口",
    "share_redundant": "2か所以上の圏内の人口割合",
    "area_km2": "面積 (km²)", "area_covered_km2": "圏内の面積 (km²)",
    "share_area_covered": "圏内の面積割合",
    "demand_uncovered": "圏外の人口", "n_parts": "区画数",
    # reach.csv, unreachable.csv
    "demand_id": "メッシュ・地点", "nearest_id": "最寄りの施設", "nearest_index": "最寄りの施設の番号",
    "distance_m": "最寄りまでの距離 (m)", "time_s": "最寄りまでの時間 (秒)",
    "n_within": "圏内の施設数", "snap_distance_m": "道路までの距離 (m)",
    "lon": "経度", "lat": "緯度",
    # check.csv, backup.csv
    "check": "チェック", "passed": "結果（1 適合、0 不適合、-1 対象外）", "value": "値",
    "target": "基準", "reason": "理由", "facility_id": "施設ID", "name": "名称",
    "has_backup": "後方支援あり", "backup_id": "後方支援の施設",
    "backup_distance_m": "後方支援までの距離 (m)",
    # plan.csv, plan_regions.csv, excluded_candidates.csv, sites.csv
    "rank": "順", "gain_demand": "追加で圏内になる人口",
    "covered_demand_cumulative": "累計の圏内人口（全圏域）",
    "share_covered_cumulative": "累計の圏内人口割合（全圏域の人口に対する）",
    "gain_objective": "目的関数の増分", "n_candidates": "候補数", "n_fixed": "指定済み",
    "n_picked": "新規指定", "covered_before": "指定前の圏内人口", "covered_after": "指定後の圏内人口",
    "share_before": "指定前の圏内人口割合",
    "share_after": "指定後の圏内人口割合", "status": "状況",
    "beds": "病床数", "beds_psychiatric": "うち精神病床", "candidate": "候補",
    "share_of_gap_cumulative": "累計の割合（圏外の人口に対する）",
    # gap_clusters
    "cluster_id": "クラスター", "n_units": "メッシュ数", "demand": "クラスターの圏外の人口",
    "centroid_lon": "重心の経度", "centroid_lat": "重心の緯度",
    "nearest_distance_m": "最寄りの施設までの距離 (m)",
    # coverage_compare.csv, demand_factors.csv
    "factor": "伸び率", "change_demand_covered": "圏内の人口の増減",
    "change_demand_uncovered": "圏外の人口の増減",
    "change_share_covered": "圏内の人口割合の増減", "note": "注",
}


def weight_text(name, with_id=False):
    """How a weight column is named: 「75歳以上人口」 for age75 (with its id
    when with_id: 「75歳以上人口（age75）」); other names as given.

    >>> weight_text("age75"), weight_text("age75", with_id=True), weight_text("pop")
    ('75歳以上人口', '75歳以上人口（age75）', 'pop')
    """
    if not name:
        return ""
    label = WEIGHT_NAMES.get(name)
    if label is None:
        return name
    return f"{label}（{name}）" if with_id else label


def japanese_headers(columns, weight=None):
    """{column: Japanese heading} for the columns that have one; 人口 in a
    heading becomes the weight's name when ``weight`` has a Japanese name
    (a weight without one, e.g. a user's ``pop``, keeps 人口). Columns of
    scenarios (``share_covered_2040``) take their base's heading with the
    scenario after it. Headings are unique: a second column that would
    take one keeps its id.

    >>> h = japanese_headers(["region_id", "demand_total", "share_covered", "x"], "age75")
    >>> h["region_id"], h["demand_total"], h["share_covered"], "x" in h
    ('圏域コード', '75歳以上人口', '圏内の75歳以上人口割合', False)
    >>> japanese_headers(["share_covered_2040"])["share_covered_2040"]
    '圏内の人口割合（2040）'
    """
    word = WEIGHT_NAMES.get(weight) if weight else None
    out, taken = {}, set()
    for column in columns:
        heading = _heading(str(column))
        if heading is None:
            continue
        if word:
            heading = heading.replace(DEMAND_WORD, word)
        if heading in taken:
            continue
        taken.add(heading)
        out[column] = heading
    return out


def _heading(column):
    if column in COLUMN_HEADINGS:
        return COLUMN_HEADINGS[column]
    # a scenario's column: the longest known base followed by _<scenario>
    for base in sorted(COLUMN_HEADINGS, key=len, reverse=True):
        if column.startswith(base + "_") and len(column) > len(base) + 1:
            return f"{COLUMN_HEADINGS[base]}（{column[len(base) + 1:]}）"
    return None


def english_headers(headings):
    """{heading: column id} for the Japanese headings of a table
    :func:`japanese_headers` named (with any weight's name), so that a
    table written with ``headers="ja"`` reads back by its ids; headings
    that are ids already, or unknown, are left out.

    >>> english_headers(["圏域コード", "75歳以上人口", "圏内の人口割合（2040）", "x"])
    {'圏域コード': 'region_id', '75歳以上人口': 'demand_total', '圏内の人口割合（2040）': 'share_covered_2040'}
    """
    out = {}
    for heading in headings:
        text = str(heading)
        for word in [None, *WEIGHT_NAMES.values()]:
            plain = text.replace(word, DEMAND_WORD) if word else text
            column = _column_of(plain)
            if column is not None:
                out[heading] = column
                break
    return out


def _column_of(heading):
    for column, text in COLUMN_HEADINGS.items():
        if heading == text:
            return column
    for column, text in COLUMN_HEADINGS.items():  # a scenario's column: 見出し（s）
        if heading.startswith(text + "（") and heading.endswith("）"):
            return f"{column}_{heading[len(text) + 1:-1]}"
    return None
