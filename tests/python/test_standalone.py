"""Tables that can be read alone (issue 18): every point table carries its
coordinates, every figure says what it counts (weight, threshold,
scenario), and Japanese headers (``headers="ja"``, ``--headers ja``) read
back to the same values. Coordinates are checked against the closed form of
JIS X 0410 cells and against the sample's own facilities.csv; values against
the API's tables."""
import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import zaitaku
from zaitaku import planning
from zaitaku.columns import COLUMN_HEADINGS, english_headers, japanese_headers
from zaitaku.outputs import read_csv

from test_cli import run_module
from test_cli_planning import args as planning_args


def mesh_centre(code):
    """(lon, lat) of the centre of a 1 km (third-level) JIS X 0410 cell:
    40' x 1 deg, then 5' x 7.5', then 30" x 45", by the standard's digits."""
    code = str(code)
    p, u, q, v, r, w = (int(code[:2]), int(code[2:4]), int(code[4]), int(code[5]),
                        int(code[6]), int(code[7]))
    lat = p / 1.5 + q * 5 / 60 + r * 30 / 3600 + 15 / 3600
    lon = 100 + u + v * 7.5 / 60 + w * 45 / 3600 + 22.5 / 3600
    return lon, lat


@pytest.fixture(scope="module")
def an():
    with pytest.warns(zaitaku.CoverageWarning):  # the sample's one unit in the sea
        return zaitaku.Analysis.sample()


def test_reach_carries_each_units_cell_centre(an):
    reach = an.reach()
    centres = np.array([mesh_centre(c) for c in reach.demand_id])
    np.testing.assert_allclose(reach[["lon", "lat"]].to_numpy(), centres, rtol=0, atol=1e-9)


def test_reach_along_roads_and_unreachable_carry_points(an):
    with pytest.warns(zaitaku.CoverageWarning, match="farther than 300 m"):
        roads = an.with_network(zaitaku.sample_road_grid(), snap_max="300m")
    reach = roads.reach(radius="30min")
    line = an.reach()
    pdt.assert_frame_equal(reach[["demand_id", "kind", "lon", "lat"]],
                           line[["demand_id", "kind", "lon", "lat"]])
    off = roads.unreachable()
    assert len(off) > 0
    centres = np.array([mesh_centre(c) for c in off.demand_id])
    np.testing.assert_allclose(off[["lon", "lat"]].to_numpy(), centres, atol=1e-9)


def test_save_says_what_coverage_counts(an, tmp_path):
    written = an.with_scenario("2025").save(tmp_path, weight="age75", radius="10km")
    cov = read_csv(written[0], dtype={"region_id": str, "scenario": str})
    expect = an.coverage("10km", weight="age75")
    pdt.assert_frame_equal(cov[expect.columns], expect, check_dtype=False)
    assert set(cov.weight) == {"age75"} and set(cov.threshold) == {"10 km"}
    assert set(cov.scenario) == {"2025"}
    # without a label there is no scenario column
    plain = read_csv(an.save(tmp_path / "plain")[0])
    assert "scenario" not in plain and set(plain.weight) == {"total"}
    reach = read_csv(written[1], dtype={"demand_id": str})
    centres = np.array([mesh_centre(c) for c in reach.demand_id])
    np.testing.assert_allclose(reach[["lon", "lat"]].to_numpy(), centres, atol=1e-9)


def test_japanese_headers_read_back_to_the_same_values(an, tmp_path):
    en = an.save(tmp_path / "en", weight="age75")
    ja = an.save(tmp_path / "ja", weight="age75", headers="ja")
    for a, b in zip(en[:2], ja[:2]):
        raw = b.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel opens it as UTF-8
        header = raw[3:].split(b"\n", 1)[0].decode()
        assert "圏域コード" in header and "region_id" not in header
        assert "75歳以上人口" in header or "経度" in header
        # the rows are the same; a Japanese heading maps back to its id
        got = read_csv(b, dtype=str, keep_default_na=False)
        want = read_csv(a, dtype=str, keep_default_na=False)
        pdt.assert_frame_equal(got[want.columns], want)
    head = pd.read_csv(ja[0], encoding="utf-8-sig", nrows=1).columns.tolist()
    assert head[:4] == ["圏域コード", "圏域名", "種類", "種類（名称）"]
    assert "圏内の75歳以上人口割合" in head
    assert pd.read_csv(ja[0], encoding="utf-8-sig")["種類（名称）"].iloc[0] == \
        zaitaku.kinds.kind_name(pd.read_csv(en[0])["kind"].iloc[0])


def test_every_heading_maps_back_to_its_column():
    for weight in (None, "total", "age75", "pop"):
        named = japanese_headers(list(COLUMN_HEADINGS), weight)
        assert len(named) == len(COLUMN_HEADINGS) == len(set(named.values()))
        assert english_headers(named.values()) == {v: k for k, v in named.items()}


def test_bad_headers_value_is_an_error(an, tmp_path):
    with pytest.raises(zaitaku.InvalidArgumentError, match="headers='jp'.*en, ja"):
        an.save(tmp_path, headers="jp")
    assert not tmp_path.joinpath("coverage.csv").exists()


def test_analysis_reads_a_facilities_dataframe(an):
    frame = pd.read_csv(zaitaku.sample_dir() / "facilities.csv", dtype={"facility_id": str})
    with pytest.warns(zaitaku.CoverageWarning):
        got = zaitaku.Analysis(an.regions, frame, an.demand)
    pdt.assert_frame_equal(got.coverage(area=False), an.coverage(area=False))
    checks = planning.check(got)
    assert checks[checks.check == "lead"].passed.tolist() == \
        planning.check(an)[lambda t: t.check == "lead"].passed.tolist()


def test_plan_and_sites_read_alone(tmp_path):
    result = run_module(*planning_args("plan", tmp_path, "--budget", "3", "--sites", "3",
                                       "--headers", "ja", "--scenario", "plan A"))
    assert result.returncode == 0, result.stderr
    plan = read_csv(tmp_path / "plan.csv", dtype={"facility_id": str, "region_id": str},
                    keep_default_na=False)
    facilities = pd.read_csv(zaitaku.sample_dir() / "facilities.csv").set_index("facility_id")
    np.testing.assert_allclose(plan.lon, facilities.lon[plan.facility_id], atol=1e-9)
    np.testing.assert_allclose(plan.lat, facilities.lat[plan.facility_id], atol=1e-9)
    # the share is the running total over every region's demand, and says so
    total = zaitaku.Analysis.sample().coverage(area=False).drop_duplicates("region_id")
    assert plan.share_covered_cumulative.to_numpy() == pytest.approx(
        plan.covered_demand_cumulative.to_numpy() / total.demand_total.sum())
    assert set(plan.scenario) == {"plan A"} and set(plan.weight) == {"total"}
    sites = read_csv(tmp_path / "sites.csv", dtype={"demand_id": str})
    centres = np.array([mesh_centre(c) for c in sites.demand_id])
    np.testing.assert_allclose(sites[["lon", "lat"]].to_numpy(), centres, atol=1e-6)
    header = (tmp_path / "plan.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "累計の圏内総人口割合（全圏域の総人口に対する）" in header  # weight total


def test_japanese_tables_never_carry_formulas(tmp_path):
    from zaitaku.outputs import write_csv

    frame = pd.DataFrame({"facility_id": ["F1", "F2"], "name": ['=HYPERLINK("x")', "札幌クリニック"],
                          "kind": ["zaishin", "nursing"]})
    write_csv(frame, tmp_path / "ja.csv", headers="ja")
    write_csv(frame, tmp_path / "en.csv")
    ja = pd.read_csv(tmp_path / "ja.csv", encoding="utf-8-sig")
    assert ja["名称"].tolist() == ["'=HYPERLINK(\"x\")", "札幌クリニック"]
    assert ja["種類（名称）"].tolist() == ["在支診", "訪問看護ステーション"]
    # the English table is data for programs: as it was
    assert pd.read_csv(tmp_path / "en.csv").name.tolist() == frame.name.tolist()


def test_threshold_is_the_radius_by_planning_s_word(an, tmp_path):
    """One name for the reach (issue 18): threshold= gives what radius
    gives, on the straight line and along roads; both at once only when
    they agree."""
    pdt.assert_frame_equal(an.coverage(threshold="10km"), an.coverage("10km"))
    pdt.assert_frame_equal(an.reach(threshold="10km"), an.reach(radius="10km"))
    pdt.assert_frame_equal(an.gaps(threshold="10km"), an.gaps("10km"))
    assert read_csv(an.save(tmp_path, threshold="10km")[0]).threshold.iloc[0] == "10 km"
    with pytest.warns(zaitaku.CoverageWarning):
        roads = an.with_network(zaitaku.sample_road_grid(), metric="time")
    pdt.assert_frame_equal(roads.coverage(threshold="20min", area=False),
                           roads.coverage("20min", area=False))
    with pytest.raises(ValueError, match="give one"):
        an.coverage("10km", threshold="12km")


def test_scenario_label_follows_the_analyses_made_from_one(an):
    """A scenario names the people and the travel: with_network, other
    kinds and relabelling keep or set it; other demand (scale_demand) is
    another scenario and starts unnamed."""
    a = an.with_scenario("2025")
    assert a.with_kinds(nursing_kinds=["nursing"]).scenario == "2025"
    with pytest.warns(zaitaku.CoverageWarning):
        assert a.with_network(zaitaku.sample_road_grid()).scenario == "2025"
    later = a.scale_demand({"9901": 1.0, "9902": 1.0, "9903": 1.0})
    assert later.scenario is None and later.with_scenario("2040").scenario == "2040"
    assert a.with_scenario(None).scenario is None
    with pytest.raises(ValueError, match="non-empty"):
        a.with_scenario("  ")
