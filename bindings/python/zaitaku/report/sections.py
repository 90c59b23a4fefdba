"""The report's planning and road sections: policy checks with reasons,
gap clusters, designation picks, sites for new nursing stations, and road
coverage (straight line against road, summer and winter), each a
:class:`~zaitaku.report.Section` listed in
:data:`BUILDERS`, with the layers they add to the
maps (:class:`~zaitaku.maps.mapstyle.Overlay`) and their part of the methods.

A builder does nothing unless the report has planning settings (the
``[planning]`` table, or ``planning=`` of :func:`~zaitaku.report.build_report`)
or a road network (``[roads]``, or an analysis along roads).
"""
import pandas as pd

from .. import planning as P
from ..units import threshold as parse_threshold
from . import tables as T
from .build import road_threshold
from .context import Section

T.register_table("sites", "新しい訪問看護ステーションの候補地")
T.register_table("designation_regions", "圏域別の指定の効果")
T.register_table("designation_excluded", "指定の候補から外した施設", {
    "beds": "病床数", "beds_psychiatric": "うち精神病床"})
T.register_table("road_classes", "道路種別と速度")
T.register_table("designation_bound", "指定案と最善の案の差（上界）", {"item": "項目", "value": "値"})
T.register_table("designation_robust", "将来の需要にも強い指定案（シナリオ別）", {
    "scenario": "シナリオ", "covered_robust": "共通案でカバーする人口",
    "objective_robust": "共通案の目的関数", "covered_own": "単独の案でカバーする人口",
    "objective_own": "単独の案の目的関数", "objective_own_bound": "単独の案の上界",
    "share_of_own_best": "単独の案に対する割合", "own_not_in_robust": "単独の案にあって共通案にない施設"})
T.register_table("policy_checks", T.TABLE_TITLES["policy_checks"], {
    "check": "チェック", "passed": "結果", "value": "値", "target": "基準"})
T.register_table("gap_clusters", T.TABLE_TITLES["gap_clusters"], {
    "cluster_id": "順位", "n_units": "メッシュ数", "demand": "人口",
    "centroid_lon": "重心の経度", "centroid_lat": "重心の緯度",
    "nearest_id": "最寄りの施設", "nearest_distance_m": "最寄りまで (m)"})
T.register_table("designation", T.TABLE_TITLES["designation"], {
    "rank": "順", "facility_id": "施設ID", "name": "名称", "gain_demand": "追加でカバーする人口",
    "covered_demand_cumulative": "累計カバー人口",
    "share_covered_cumulative": "累計の割合（全圏域）", "gain_objective": "目的関数の増分",
    "n_candidates": "候補数", "n_fixed": "指定済み", "n_picked": "新規指定",
    "covered_before": "指定前の圏内人口", "covered_after": "指定後の圏内人口",
    "share_before": "指定前の割合", "share_after": "指定後の割合", "status": "状況",
    "demand_id": "メッシュ", "share_of_gap_cumulative": "空白人口に占める割合"})
T.register_table("road_coverage", T.TABLE_TITLES["road_coverage"], {
    "share_straight": "直線での割合", "share_road": "道路での割合（夏期）",
    "share_road_winter": "道路での割合（冬期）", "change_road": "道路 − 直線（ポイント）",
    "change_winter": "冬期 − 夏期（ポイント）"})

REASONS = {"fixed": "指定済み", "region": "圏域に 1 か所", "coverage": "カバー人口の増分"}
CLUSTER_EDGE = "#D55E00"   # Okabe & Ito vermillion
PICK_EDGE = "#0072B2"      # blue
SITE_EDGE = "#009E73"      # bluish green


def _geo(frame):
    return pd.DataFrame(frame.drop(columns="geometry")) if "geometry" in frame else frame


# ---------------------------------------------------------------- policy checks

def policy_checks(ctx):
    """The policy checks of :func:`zaitaku.planning.check`, failing ones
    highlighted; per region on each region's page."""
    plan = ctx.planning
    if not plan or not plan["check"]:
        return None
    an = ctx.analysis
    doctor, nursing = plan["doctor_threshold"], plan["nursing_threshold"]
    table = P.check(an, weight=ctx.weight, rule16=plan["rule16"], doctor_threshold=doctor,
                    nursing_threshold=nursing, min_share_rule16=plan["min_share_rule16"],
                    min_share_nursing=plan["min_share_nursing"],
                    min_share_redundant=plan["min_redundancy"],
                    home_care_kinds=plan["home_care_kinds"], backup_kinds=plan["backup_kinds"],
                    standard_kinds=plan["standard_kinds"])
    failed = table[table.passed == 0]
    regions = failed.region_id.nunique()
    text = (f"国の指針（令和5年 医政地発0331第14号）と往診の 16 km ルールに照らした圏域ごとのチェックです。"
            f"{table.region_id.nunique()} 圏域のうち {regions} 圏域に、合わせて {len(failed)} 件の"
            "不適合があります（色付きの行）。理由の文は libcoverage の出力（英語）です。")
    return Section(key="policy_checks", title=T.TABLE_TITLES["policy_checks"], text=text,
                   table=table)


# ---------------------------------------------------------------- gap clusters

def gap_clusters(ctx):
    """Uncovered demand grouped into clusters ranked by demand, outlined
    and numbered on the region maps."""
    plan = ctx.planning
    if not plan or not plan["clusters"]:
        return None
    an = ctx.analysis
    nursing = plan["nursing_threshold"]
    clusters = P.clusters(an, kinds=plan["cluster_kinds"], threshold=nursing, weight=ctx.weight,
                          link=plan["cluster_link"])
    kinds = "・".join(T.kind_name(k) for k in (plan["cluster_kinds"] or ["nursing"]))
    if len(clusters):
        from matplotlib.patches import Patch

        label = f"空白クラスター（{kinds}の圏外。数字は人口）"
        ctx.maps.add_overlay(_overlay(
            _people_labels(clusters, CLUSTERS_LABELLED),
            dict(facecolor="none", edgecolor=CLUSTER_EDGE, linewidth=1.1, zorder=4),
            label, "people_text", CLUSTER_EDGE,
            Patch(facecolor="none", edgecolor=CLUSTER_EDGE, linewidth=1.1, label=label)))
    text = (f"{kinds}の圏外にある需要単位を、隣り合うメッシュ（8 近傍）ごとにまとめ、人口の多い順に並べたもの"
            f"です（{len(clusters):,} クラスター）。地図では輪郭で示し、圏域ごとに人口の多い "
            f"{CLUSTERS_LABELLED} つにその人口を記しました（1 人未満のものには記しません）。")
    return Section(key="gap_clusters", title=T.TABLE_TITLES["gap_clusters"], text=text,
                   table=_geo(clusters), html_rows=plan["max_rows"])


#: gap clusters labelled with their people on each region's map (the largest)
CLUSTERS_LABELLED = 3


def _people_labels(clusters, top):
    """clusters with ``people_text``: 「1,234人」 for the ``top`` largest of
    each region (by demand, as ranked), empty for the others and for those
    of less than one person, whose label would say 0."""
    frame = clusters.copy()
    rank = frame.groupby("region_id")["demand"].rank(method="first", ascending=False)
    frame["people_text"] = [f"{d:,.0f}人" if r <= top and round(d) >= 1 else ""
                            for d, r in zip(frame["demand"], rank)]
    return frame


def _overlay(frame, style, label, text, colour, handle, top=None, on_overview=False):
    from ..maps.mapstyle import Overlay

    frame = frame.copy()
    if top is not None and text is not None:
        rank = frame.groupby("region_id")[text].rank(method="first")
        frame[text] = [str(v) if r <= top else "" for v, r in zip(frame[text], rank)]
    return Overlay(frame=frame, style=style, label=label, text=text, colour=colour,
                   handle=handle, on_overview=on_overview)


# ---------------------------------------------------------------- designation

def designation(ctx):
    """Designation picks in greedy order with their marginal gain, ringed
    and numbered on the maps; the effect per region in a second table."""
    plan = ctx.planning
    if not plan or not plan["designate"]:
        return None
    an = ctx.analysis
    doctor = plan["doctor_threshold"]
    picks, regions = P.designate(an, budget=int(plan["budget"]),
                                 target_share=plan["target_share"], threshold=doctor,
                                 weight=ctx.weight, candidate_kinds=plan["candidate_kinds"],
                                 enhanced_kinds=plan["enhanced_kinds"],
                                 enhanced_weight=plan["enhanced_weight"],
                                 candidates=plan["candidates"], fixed=plan["designated"],
                                 exact=plan["exact"], time_limit=plan["time_limit"])
    ctx.store["designation_picks"] = picks
    if len(picks):
        from matplotlib.lines import Line2D

        label = "指定（番号は選んだ順）"
        ctx.maps.add_overlay(_overlay(
            picks, dict(marker="o", markersize=150, facecolor="none", edgecolor=PICK_EDGE,
                        linewidth=1.6, zorder=7), label, "rank", PICK_EDGE,
            Line2D([], [], linestyle="none", marker="o", markersize=9, markerfacecolor="none",
                   markeredgecolor=PICK_EDGE, markeredgewidth=1.6, label=label),
            on_overview=True))
    shown = _geo(picks)
    shown["reason"] = shown["reason"].map(lambda r: REASONS.get(r, r))
    new = (picks.reason != "fixed").sum()
    text = ("積極的役割を担う医療機関の指定案です。指定済みの施設を固定し、候補のある圏域に 1 か所ずつ選んだ"
            "あと、圏内人口の増分（限界効用）が最大の施設を順に選びます（遅延評価の貪欲法と交換による改善）。"
            f"新規の指定は {new} か所、予算 {int(plan['budget'])}"
            + (f"、目標割合 {plan['target_share']:.0%}" if plan["target_share"] is not None else "")
            + "。「追加でカバーする人口」がその施設を選んだときの増分です。"
            + _bound_text(picks.attrs["bound"]))
    ctx.store["designation_bound"] = Section(
        key="designation_bound", title=T.TABLE_TITLES["designation_bound"],
        text="同じ予算（新規指定の数）で、どの指定案でもこれを超えられない値（上界）と、この案との差です。"
             "上界は同じ被覆モデルの線形緩和（[planning] exact = true のときは整数計画）を HiGHS で解いて"
             "求めます。", table=_bound_table(picks.attrs["bound"]), region_pages=False)
    ctx.store["designation_regions"] = (Section(
        key="designation_regions", title=T.TABLE_TITLES["designation_regions"],
        text="圏域ごとの候補数と、指定の前後で医師の圏内に入る人口。", table=regions,
        region_pages=False))
    ctx.store["designation_excluded"] = _excluded_section(picks.attrs["excluded"], regions)
    return Section(key="designation", title=T.TABLE_TITLES["designation"], text=text,
                   table=shown, html_rows=plan["max_rows"])


_BOUND_WORDS = {"LP relaxation": "線形緩和", "integer program (HiGHS)": "整数計画（HiGHS）",
                "optimal": "最適", "time limit": "時間制限で停止", "heuristic": "貪欲法と交換",
                "heuristic, pair moves guided by the LP": "貪欲法と交換（線形緩和に導かれた 2 圏域同時の交換）",
                "LP rounding, then swaps and pair moves": "線形緩和の解の丸めから交換",
                "exact (integer program)": "整数計画（厳密解）"}


def _bound_text(b):
    """The bound in one sentence of the designation section."""
    how = _BOUND_WORDS.get(b["method"], b["method"])
    stop = "" if b["status"] == "optimal" else f"（{_BOUND_WORDS.get(b['status'], b['status'])}）"
    return (f"\n\nこの案の圏内人口は {b['covered']:,.0f} 人です。新規指定 {b['budget']} か所では、どの案でも"
            f" {b['covered_bound']:,.0f} 人を超えません（{how}による上界{stop}、差 {b['gap_people']:,.0f} 人）。"
            + ("目的関数（機能強化型を重み付け）では、この案が最善です（上界と一致）。"
               if b["gap_share"] < 5e-6 else
               f"目的関数（機能強化型を重み付け）では、最善の案との差は最大 {b['gap_share']:.2%} です。"))


def _bound_table(b):
    rows = [("新規指定の数", f"{b['budget']}"), ("この案の圏内人口", f"{b['covered']:,.0f}"),
            ("どの案でも超えない圏内人口（上界）", f"{b['covered_bound']:,.0f}"),
            ("差（人）", f"{b['gap_people']:,.0f}"),
            ("目的関数（機能強化型を重み付け）", f"{b['objective']:,.1f}"),
            ("目的関数の上界", f"{b['objective_bound']:,.1f}"), ("差（%）", f"{b['gap_share']:.3%}"),
            ("上界の求め方", _BOUND_WORDS.get(b["method"], b["method"])),
            ("状態", _BOUND_WORDS.get(b["status"], b["status"])),
            ("案を見つけた方法", _BOUND_WORDS.get(b["found_by"], b["found_by"])),
            ("計算時間（秒）", f"{b['seconds']:.1f}")]
    return pd.DataFrame(rows, columns=["item", "value"])


def designation_bound(ctx):
    return ctx.store.get("designation_bound")


def designation_robust(ctx):
    """With [planning] robust: one plan for the demand as read and the
    [forecast]'s, beside each one's own plan (planning.robust)."""
    plan = ctx.planning
    if not plan or not plan["designate"] or not plan["robust"]:
        return None
    later = ctx.store.get("forecast_analysis")
    if later is None:
        from .schema import ConfigError
        raise ConfigError(ctx.config["file"], "planning.robust", "a [forecast] section (the "
                          "robust plan is one plan for today's demand and the forecast's)",
                          got="no [forecast]")
    (base, an), (later_name, an_later) = later
    picks, table = P.robust({base: an, later_name: an_later}, budget=int(plan["budget"]),
                            threshold=plan["doctor_threshold"], weight=ctx.weight,
                            candidate_kinds=plan["candidate_kinds"],
                            enhanced_kinds=plan["enhanced_kinds"],
                            enhanced_weight=plan["enhanced_weight"],
                            candidates=plan["candidates"], fixed=plan["designated"],
                            time_limit=plan["time_limit"])
    r = picks.attrs["robust"]
    own = ctx.store.get("designation_picks")
    changed = "" if own is None else (
        f"上の指定案と比べて、{len(set(picks.facility_id) - set(own.facility_id))} か所が入れ替わります。")
    text = (f"{base}と{later_name}の両方の需要に対して一つの指定案を選びます。それぞれの需要だけで選んだ案"
            f"（単独の案）の目的関数に対する割合の小さい方を最大にします（整数計画、HiGHS）。共通案はどちらの"
            f"需要でも単独の案の {r['value']:.2%} 以上に達します（上界 {r['bound']:.2%}、"
            f"{_BOUND_WORDS.get(r['status'], r['status'])}）。" + changed
            + "共通案の新規指定: " + "、".join(
                f"{n}（{k}）" for n, k, why in zip(picks.name, picks.region_id, picks.reason)
                if why != "fixed") + "。")
    return Section(key="designation_robust", title=T.TABLE_TITLES["designation_robust"],
                   text=text, table=table, region_pages=False)


def designation_regions(ctx):
    return ctx.store.get("designation_regions")


def _excluded_reason(row):
    if row.status == "psychiatric_only":
        return f"精神病床のみ（{row.beds:g} 床すべて）"
    if row.status == "outside":
        return "どの圏域にもない（到達範囲には数える）"
    return row.reason


def _excluded_section(excluded, regions):
    """The facilities of the candidate kinds left out of the designation,
    with the reason (name, kind, area, reason); those of other kinds as a
    count per kind in the text."""
    by_kind = excluded[excluded.status == "kind"].kind.value_counts()
    shown = excluded[excluded.status != "kind"]
    names = regions.set_index("region_id").region_name
    table = pd.DataFrame({
        "name": shown.name, "kind": shown.kind.map(T.kind_name), "region_id": shown.region_id,
        "region_name": shown.region_id.map(names).fillna(""),
        "beds": shown.beds, "beds_psychiatric": shown.beds_psychiatric,
        "reason": [_excluded_reason(r) for r in shown.itertuples()]})
    text = ("候補の種類の施設のうち、指定の候補から外したものです。精神病床だけの病院は在宅医療の"
            "担い手でないとして既定で外します（法令の定めではなく本ツールの既定。病床数が不明なら外し"
            "ません）。どの圏域にもない施設は到達範囲には数えますが、圏域の指定の対象にしません。")
    if not len(shown):
        text += "\n\n候補の種類の施設で外したものはありません（精神病床だけの病院も、圏域の外の施設もありません）。"
    if len(by_kind):
        text += ("\n\n候補の種類でない施設: " +
                 "、".join(f"{T.kind_name(k)} {n} か所" for k, n in by_kind.items()) + "。")
    # no empty table: the sentence says there is none (and no header-only CSV)
    return Section(key="designation_excluded", title=T.TABLE_TITLES["designation_excluded"],
                   text=text, table=table.reset_index(drop=True) if len(shown) else None)


def designation_excluded(ctx):
    return ctx.store.get("designation_excluded")


def sites(ctx):
    """Suggested sites for new nursing stations, as diamonds on the maps."""
    plan = ctx.planning
    if not plan or not plan["sites"]:
        return None
    an = ctx.analysis
    nursing = plan["nursing_threshold"]
    table = P.sites(an, n=int(plan["sites"]), kinds=plan["cluster_kinds"], threshold=nursing,
                    radius=plan["site_radius"], weight=ctx.weight)
    if len(table):
        from matplotlib.lines import Line2D

        label = "新しい訪問看護の候補地"
        ctx.maps.add_overlay(_overlay(
            table, dict(marker="D", markersize=40, color=SITE_EDGE, edgecolor="white",
                        linewidth=0.6, zorder=7), label, "rank", SITE_EDGE,
            Line2D([], [], linestyle="none", marker="D", markersize=6,
                   markerfacecolor=SITE_EDGE, markeredgecolor="white", label=label),
            on_overview=True))
    text = ("空白地域のメッシュの中から、まだ圏外の人口を最も多く覆う地点を順に選んだ候補地です"
            "（サテライト型訪問看護ステーションなど）。")
    return Section(key="sites", title=T.TABLE_TITLES["sites"], text=text, table=_geo(table))


# ---------------------------------------------------------------- roads

def _network(ctx):
    notes = ctx.notes or {}
    return notes.get("network") or ctx.analysis.network


def road_coverage(ctx):
    """Per region and kind: the share within reach along the straight line
    (analysis radius) and along roads, summer and (time only) winter."""
    net = _network(ctx)
    if net is None:
        return None
    an, cfg = ctx.analysis, ctx.config
    if an.network is not None:
        threshold = an.road_threshold
        roads_an = an.with_season(False)
    else:
        roads = cfg["roads"]
        threshold = road_threshold(cfg)
        roads_an = an.with_network(net, threshold=threshold, snap_max=roads["snap_max"],
                                   access_speed_kmh=float(roads["access_speed_kmh"]),
                                   buffer=roads["buffer"])
    winter_on = (cfg is None or cfg["winter"] is None or cfg["winter"]["enabled"])
    kinds = ctx.kinds or list(ctx.coverage.kind.unique())
    # each model is its own analysis: nothing to switch, nothing to restore
    straight = an.straight().coverage(an.radius_m, weight=ctx.weight, area=False)
    summer = roads_an.coverage(threshold, weight=ctx.weight, area=False)
    metric = roads_an.measure(threshold)[0]
    winter = roads_an.with_season(True).coverage(threshold, weight=ctx.weight, area=False) \
        if metric == "time" and winter_on else None
    unreachable = roads_an.unreachable()
    opts = dict(roads_an.road_options, metric=metric)
    key = ["region_id", "region_name", "kind"]
    table = straight[key + ["demand_total", "share_covered"]].rename(
        columns={"share_covered": "share_straight"})
    table = table.merge(summer[key + ["share_covered"]].rename(
        columns={"share_covered": "share_road"}), on=key)
    table["change_road"] = (table.share_road - table.share_straight) * 100
    if winter is not None:
        table = table.merge(winter[key + ["share_covered"]].rename(
            columns={"share_covered": "share_road_winter"}), on=key)
        table["change_winter"] = (table.share_road_winter - table.share_road) * 100
    table = table[table.kind.isin(kinds)]
    order = {k: i for i, k in enumerate(kinds)}
    table = table.assign(_o=table.kind.map(order)).sort_values(["region_id", "_o"], kind="stable")
    table = table.drop(columns="_o").reset_index(drop=True)
    what = (f"車で {_minutes(threshold)}" if metric == "time" else f"道路距離 {threshold}")
    text = (f"直線 {an.radius_m / 1000:g} km の圏内と、道路網上の {what} の圏内とで、人口の割合を比べます"
            + ("（夏期と冬期の速度）" if winter is not None else "") +
            f"。道路から {opts['snap_max_m']:g} m より遠い需要単位 {len(unreachable):,} 件は道路では圏外です。")
    ctx.store["roads"] = dict(threshold=threshold, metric=metric, opts=opts,
                            unreachable=len(unreachable), winter=winter is not None)
    return Section(key="road_coverage", title=T.TABLE_TITLES["road_coverage"], text=text,
                   table=table)


def _minutes(threshold):
    return f"{parse_threshold(threshold, 'threshold')[1] / 60:g} 分"


def road_methods(ctx):
    """The methods of the road model: speeds per class, winter model with
    its source, snap cap, access speed, isochrone buffer."""
    net = _network(ctx)
    if net is None:
        return None
    an = ctx.analysis
    opts = dict(an.road_options, metric=an.metric) if an.network is not None else \
        ctx.store.get("roads", {}).get("opts", {})
    classes = net.classes()
    classes = classes[classes.n_edges > 0].reset_index(drop=True)
    classes["winter_speed_kmh"] = classes.speed_kmh * classes.winter_factor
    cfg = ctx.config
    win = (cfg or {}).get("winter") or {}
    source = (f"{net.source}" if not str(net.source).endswith(".shp") else
              str(net.source).rsplit("/", 1)[-1])
    text = "\n\n".join([
        f"道路網: {source}（{net.n_nodes:,} 節点、{net.n_edges:,} 辺、{net.n_components:,} 連結成分）。"
        "線は共有する頂点で結び、端点が 1 m 以内の頂点に接していれば結びます。",
        "速度: 道路種別ごとの表（Geofabrik の fclass、高速道路 80 〜 生活道路 20 km/h）。maxspeed "
        "があればそれを使います。下の表が実際に使った速度です。",
        "冬期: 速度を 10 km/h 下げ、ただし半分未満にはしません（v_winter = max(v − 10, v / 2)）。"
        "10 km/h は寒地土木研究所（CERI 1996, 石本・高橋・加治屋「冬期道路における車両速度と視程」、"
        "国道230号 中山峠）の圧雪・凍結路面での測定値で、平均ではなく条件の悪い日の値です。"
        "高速道路や市街地の道路への適用は外挿で、半分の下限には出典がありません。"
        + ("この報告では設定ファイルで種別ごとの係数を置き換えています。"
           if win.get("speed_factor") is not None or win.get("factors") else ""),
        f"スナップ: 施設と需要単位は最寄りの道路に結びます（道路まで {opts.get('snap_max_m', 1000):g} m "
        f"を超えると到達不能）。道路までの区間は {opts.get('access_speed_kmh', 15):g} km/h で計算します。",
        f"サービスエリア（地図）: 到達した道路の区間を {opts.get('buffer_m', 100):g} m 幅で囲んだ範囲"
        "（isochrone）。そこから離れた土地を圏内とは呼びません。",
        "往診の 16 km ルール（政策チェック）は道路網を使う場合も常に直線距離で判定します。"])
    return Section(key="road_classes", title="道路網", text=text,
                   table=classes[["class", "n_edges", "length_km", "speed_kmh",
                                  "winter_factor", "winter_speed_kmh"]],
                   where="methods")


def planning_methods(ctx):
    """The planning defaults and the values used (include/libcoverage/planning.h)."""
    plan = ctx.planning
    if not plan:
        return None
    an = ctx.analysis
    time_net = an.network is not None and an.metric == "time"
    default = "車で 30 分（地域包括ケアシステムの日常生活圏域、厚生労働省「おおむね30分以内」）" \
        if time_net else "16 km（往診の 16 km ルールと同じ）"
    doctor = plan["doctor_threshold"] or f"既定: {default}"
    nursing = plan["nursing_threshold"] or f"既定: {default}"
    lines = [
        f"16 km ルール: 患家から半径 {plan['rule16']}（直線、療担規則の通知: 往診は患家の所在地から"
        "半径16キロメートル以内）。移動モデルにかかわらず常に直線距離です。",
        f"医師の到達範囲: {doctor}。訪問看護の到達範囲: {nursing}。",
        f"割合の基準: 16 km 圏内 {plan['min_share_rule16']:.0%}、訪問看護 "
        f"{plan['min_share_nursing']:.0%}、2 か所以上 {plan['min_redundancy']:.0%}"
        "（既定は 90%。公式の基準値はなく、計画上の選択です）。",
        "在支診・在支病の種類: " + ", ".join(plan["home_care_kinds"] or
                                            ["zaishin", "enhanced_single", "enhanced_network",
                                             "zaibyo"])
        + "。後方支援: 指定された医療機関・機能強化型・" + ", ".join(plan["backup_kinds"] or
                                                          ["backup_hospital"]) + "。",
        "指定の候補: " + (", ".join(plan["candidate_kinds"]) if plan["candidate_kinds"] else
                         "在支診・在支病の種類" if not plan["candidates"] else
                         f"{len(plan['candidates'])} 施設（ID で指定）")
        + f"。機能強化型の重み {plan['enhanced_weight']:g}（既定 1.1）。貪欲法（遅延評価）の後、"
        "交換による改善。小さな例で厳密解（MILP）と照合済み。",
        "空白クラスター: 圏外の需要単位をメッシュの 8 近傍（点は "
        f"{plan['cluster_link']} 以内）でまとめ、圏域をまたがない。",
        "出典: include/libcoverage/planning.h の既定値と根拠。"]
    return Section(key="planning_methods", title="政策チェックと指定の方法",
                   text="\n\n".join(lines), where="methods")


#: The report's own section builders, in order (called before those added
#: with :func:`zaitaku.report.register_section`).
BUILDERS = {"policy_checks": policy_checks, "gap_clusters": gap_clusters,
            "designation": designation, "designation_bound": designation_bound,
            "designation_robust": designation_robust, "designation_regions": designation_regions,
            "designation_excluded": designation_excluded,
            "sites": sites, "road_coverage": road_coverage, "road_methods": road_methods,
            "planning_methods": planning_methods}
