"""The report's planning and road sections, built from the sample's
configuration files, against the same computations run directly:
planning.check, planning.designate, planning.clusters (and an uncovered
demand count from reach), Analysis.coverage with the road network."""
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

import zaitaku
from zaitaku import planning
from zaitaku.report import load_config
from zaitaku.report import build_report_from_config

ROOT = Path(__file__).resolve().parents[2]


def _build(name, out):
    cfg = load_config(ROOT / "examples" / name)
    cfg["report"]["formats"] = ["html", "csv"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        return build_report_from_config(cfg, out)


def _csv(result, key):
    return pd.read_csv(result.csv[key], encoding="utf-8-sig", dtype={"region_id": str},
                       keep_default_na=False, na_values=[""])


def _sample(**kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        return zaitaku.Analysis.sample(**kw)


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    return _build("sample_report.toml", tmp_path_factory.mktemp("plan"))


@pytest.fixture(scope="module")
def roads(tmp_path_factory):
    return _build("sample_report_roads.toml", tmp_path_factory.mktemp("roads"))


def test_policy_table_equals_planning_check(straight):
    # the values of examples/sample_report.toml's [planning], written out here
    ref = planning.check(_sample(), min_share_rule16=0.9, min_share_nursing=0.9,
                         min_share_redundant=0.8)
    got = _csv(straight, "policy_checks")
    assert list(got.region_id + got.check) == list(ref.region_id + ref.check)
    assert got.passed.tolist() == ref.passed.tolist()
    assert got.value.to_numpy() == pytest.approx(ref.value.to_numpy())
    assert got.reason.tolist() == ref.reason.tolist()
    # min_redundancy 0.8 passes 9902? its share is 64%: still a failure
    red = ref[(ref.check == "redundancy") & (ref.region_id == "9902")].iloc[0]
    assert red.value == pytest.approx(0.6398, abs=1e-3) and red.passed == 0


def test_failing_checks_are_highlighted_whole_and_per_region(straight):
    ref = planning.check(_sample(), min_share_redundant=0.8)
    page = straight.html.read_text(encoding="utf-8")
    section = page.split('id="policy_checks"', 1)[1].split("</section>", 1)[0]
    assert section.count('<tr class="fail">') == int((ref.passed == 0).sum())
    assert section.count("<tr") - 1 == len(ref)  # the header row and one per check
    for rid in ref.region_id.unique():
        region = page.split(f'id="region-{rid}"', 1)[1].split("</section>", 1)[0]
        mine = ref[ref.region_id == rid]
        policy = region.split("政策チェック", 1)[1].split("</table>", 1)[0]
        assert policy.count('<tr class="fail">') == int((mine.passed == 0).sum())
        for reason in mine.reason:
            assert reason.replace("&", "&amp;") in policy
    assert "tr.fail" in page  # the CSS that colours them


def test_designation_picks_equal_planning_designate(straight):
    picks, regions = planning.designate(_sample(), budget=2)
    got = _csv(straight, "designation")
    assert got.facility_id.tolist() == picks.facility_id.tolist()
    assert got["rank"].tolist() == picks["rank"].tolist()
    assert got.gain_demand.to_numpy() == pytest.approx(picks.gain_demand.to_numpy())
    # marginal gains add up to the covered demand, as a running total
    assert got.gain_demand.cumsum().to_numpy() == pytest.approx(got.covered_demand_cumulative.to_numpy())
    reg = _csv(straight, "designation_regions")
    assert reg.share_after.to_numpy() == pytest.approx(regions.share_after.to_numpy())


def test_gap_clusters_hold_the_demand_out_of_nursing_reach(straight):
    an = _sample()
    got = _csv(straight, "gap_clusters")
    ref = planning.clusters(an)
    assert got.demand.to_numpy() == pytest.approx(ref.demand.to_numpy())
    assert (got.demand.diff().dropna() <= 0).all()  # ranked by demand
    # independently: the demand of assigned units with no nurse within 16 km
    reach = an.reach("nursing", "16km")
    reach = reach[reach.region_id.notna() & (reach.region_id != "")]
    out = reach[~(reach.distance_m <= 16000)].demand_id
    weights = an.demand.to_geodataframe().set_index("demand_id")["total"]
    assert got.demand.sum() == pytest.approx(weights[out].sum())


def test_sites_equal_planning_sites(straight):
    ref = planning.sites(_sample(), n=3)
    got = _csv(straight, "sites")
    assert got.demand_id.astype(str).tolist() == ref.demand_id.tolist()
    assert got.gain_demand.to_numpy() == pytest.approx(ref.gain_demand.to_numpy())


def test_road_coverage_equals_coverage_with_the_network(straight, roads):
    base = _sample()
    line = base.coverage("16km", area=False)
    by_road = _sample().with_network(zaitaku.sample_road_grid(), snap_max="1km")
    summer16 = by_road.coverage("16km", area=False)
    got = _csv(straight, "road_coverage")
    key = ["region_id", "kind"]
    m = got.merge(line[key + ["share_covered"]], on=key).merge(
        summer16[key + ["share_covered"]], on=key, suffixes=("_line", "_road"))
    assert len(m) == len(got) == 9  # 3 regions x the report's 3 kinds
    assert m.share_straight.to_numpy() == pytest.approx(m.share_covered_line.to_numpy())
    assert m.share_road.to_numpy() == pytest.approx(m.share_covered_road.to_numpy())
    assert "share_road_winter" not in got  # distance along roads: no winter
    # along roads 30 minutes, summer and winter
    timed = _sample().with_network(zaitaku.sample_road_grid(), metric="time", buffer="1km")
    summer, winter = (timed.coverage("30min", area=False, winter=w) for w in (False, True))
    got = _csv(roads, "road_coverage")
    m = got.merge(summer[key + ["share_covered"]], on=key).merge(
        winter[key + ["share_covered"]], on=key, suffixes=("_s", "_w"))
    assert len(m) == 9
    assert m.share_road.to_numpy() == pytest.approx(m.share_covered_s.to_numpy())
    assert m.share_road_winter.to_numpy() == pytest.approx(m.share_covered_w.to_numpy())
    assert (m.share_road_winter <= m.share_road + 1e-12).all()
    assert m.share_straight.to_numpy() == pytest.approx(
        got.merge(line, on=key).share_covered.to_numpy())
    # the report's own coverage table is along roads (30 minutes, summer)
    cov = _csv(roads, "coverage")
    ref = timed.coverage("30min", winter=False)
    assert cov.share_covered.to_numpy() == pytest.approx(ref.share_covered.to_numpy())
    assert cov.share_area_covered.to_numpy() == pytest.approx(
        ref.share_area_covered.to_numpy())


def test_road_report_states_its_model_and_sources(roads):
    page = roads.html.read_text(encoding="utf-8")
    methods = page.split('id="methods"', 1)[1]
    for text in ("道路網上の所要時間", "車で 30 分", "寒地土木研究所", "max(v − 10, v / 2)",
                 "1000 m", "15 km/h", "1000 m 幅", "常に直線距離", "planning.h", "療担規則"):
        assert text in methods, text
    classes = _csv(roads, "road_classes")
    net = zaitaku.sample_road_grid()
    ref = net.classes().set_index("class")
    for row in classes.itertuples():
        assert row.speed_kmh == ref.at[row[1], "speed_kmh"]
        assert row.winter_speed_kmh == pytest.approx(
            max(row.speed_kmh - 10, row.speed_kmh / 2))  # the README's winter rule
    assert "車で 30 分" in page.split('id="overview"', 1)[1].split("</section>", 1)[0]


def test_analysis_report_takes_planning_without_a_config(tmp_path):
    result = _sample().report(tmp_path / "r.html", formats=["html", "csv"],
                              planning={"budget": 1, "sites": 0, "clusters": False})
    assert set(result.csv) >= {"policy_checks", "designation"}
    assert "gap_clusters" not in result.csv and "sites" not in result.csv
    picks, _ = planning.designate(_sample(), budget=1)
    assert _csv(result, "designation").facility_id.tolist() == picks.facility_id.tolist()
    with pytest.raises(zaitaku.report.ConfigError, match="planning.budgt"):
        _sample().report(tmp_path / "x.html", formats=["html"], planning={"budgt": 1})


def test_maps_carry_the_planning_layers(tmp_path):
    from zaitaku.maps import mapstyle
    from zaitaku.report import ReportContext
    from zaitaku.report import sections as RS
    from zaitaku.report import planning_settings

    an = _sample()
    data = mapstyle.MapData(an)
    ctx = ReportContext(an, None, an.coverage(), data, planning=planning_settings({"sites": 2}))
    RS.gap_clusters(ctx)
    RS.designation(ctx)
    RS.sites(ctx)
    assert [o.label for o in data.overlays] == [
        "空白クラスター（訪問看護ステーションの圏外。数字は人口）", "指定（番号は選んだ順）",
        "新しい訪問看護の候補地"]
    fig = mapstyle.region_map(data, "9902")
    labels = [t.get_text() for t in fig.findobj(lambda a: a.get_gid() == "zaitaku-overlay-label")]
    picks, _ = planning.designate(an)
    n_picks = int((picks.region_id == "9902").sum())
    clusters = planning.clusters(an)
    # the three largest clusters of the region labelled with their people
    mine = clusters[clusters.region_id == "9902"].sort_values("demand", ascending=False)
    expected = [f"{d:,.0f}人" for d in mine.demand.head(3) if round(d) >= 1]
    sites = planning.sites(an, n=2)
    assert len(labels) == len(expected) + n_picks + int((sites.region_id == "9902").sum())
    assert sorted(t for t in labels if t.endswith("人")) == sorted(expected) and expected
    legend = " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
    assert re.search("空白クラスター.*指定.*候補地", legend)


def test_designation_bound_table_is_the_plans(straight):
    picks, _ = planning.designate(_sample(), budget=2)
    b = picks.attrs["bound"]
    got = pd.read_csv(straight.csv["designation_bound"], encoding="utf-8-sig")
    values = dict(zip(got.iloc[:, 0], got.iloc[:, 1].astype(str)))
    assert values["この案の圏内人口"] == f"{b['covered']:,.0f}"
    assert values["どの案でも超えない圏内人口（上界）"] == f"{b['covered_bound']:,.0f}"
    assert values["上界の求め方"] == "線形緩和"
    html = Path(straight.html).read_text(encoding="utf-8")
    assert f"どの案でも {b['covered_bound']:,.0f} 人を超えません" in html


def test_robust_plan_section_equals_planning_robust(tmp_path):
    """[planning] robust with a [forecast] of factors per area: the table
    is planning.robust over the sample and the sample scaled so."""
    factors = tmp_path / "factors.csv"
    factors.write_text("area,factor\n9901,1.4\n9902,0.7\n9903,1.1\n", encoding="utf-8")
    cfg = load_config(ROOT / "examples" / "sample_report.toml")
    cfg["report"]["formats"] = ["html", "csv"]
    cfg["planning"]["robust"] = True
    cfg["forecast"] = {"path": str(factors), "format": "table", "code_field": "area",
                       "factor_field": "factor", "name": "2040年", "base_name": "現在",
                       "measure": "home_visits", "base_year": 2024, "year": 2040,
                       "prefecture": None}
    cfg["paths"]["forecast.path"] = factors
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        result = build_report_from_config(cfg, tmp_path / "out")
        an = _sample()
        later = an.scale_demand(str(factors), code_field="area", factor_field="factor")
    picks, table = planning.robust({"現在": an, "2040年": later}, budget=2)
    got = pd.read_csv(result.csv["designation_robust"], encoding="utf-8-sig")
    assert got.scenario.tolist() == ["現在", "2040年"]
    assert got.share_of_own_best.to_numpy() == pytest.approx(table.share_of_own_best.to_numpy())
    assert got.covered_robust.to_numpy() == pytest.approx(table.covered_robust.to_numpy())
    assert picks.attrs["robust"]["value"] == pytest.approx(got.share_of_own_best.min())
    del cfg["forecast"]
    with pytest.raises(Exception, match="planning.robust"):
        build_report_from_config(cfg, tmp_path / "out2")


@pytest.mark.parametrize("extra, key", [("robust = true", "planning.robust"),
                                        ("time_limit = 0", "planning.time_limit")])
def test_planning_options_checked_before_any_work(extra, key):
    """[planning] robust without a [forecast], or a time limit of 0, is
    refused when the file is read, naming the key."""
    from zaitaku.report import loads_config
    from zaitaku.report.schema import ConfigError

    text = (ROOT / "examples" / "sample_report.toml").read_text(encoding="utf-8")
    text = text.replace("[planning]\n", f"[planning]\n{extra}\n", 1)
    with pytest.raises(ConfigError) as info:
        loads_config(text, file="cfg.toml", base=ROOT / "examples")
    assert info.value.key == key
