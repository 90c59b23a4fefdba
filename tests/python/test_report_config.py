"""The TOML configuration (zaitaku.config) and `zaitaku report`: clear errors
naming the file, the key and what was expected; defaults; paths; facility
sources filtered as a plain pandas computation would."""
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import zaitaku
from zaitaku import cli
from zaitaku.config import (ConfigError, build_analysis, effective_radius_m, load_config,
                            loads_config, read_facility_sources, register_feature)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "sample_report.toml"
BASE = """
[report]
title = "t"
[regions]
path = "sample:municipalities.shp"
id_field = "muni_code"
[[facilities]]
path = "sample:facilities.csv"
kind_field = "kind"
[demand]
path = "sample:population_mesh1km.csv"
mesh_field = "mesh_code"
weight_fields = ["total"]
"""


def error(text, file="cfg.toml"):
    with pytest.raises(ConfigError) as info:
        loads_config(text, file=file)
    return info.value


def test_example_config_is_valid_and_fills_defaults():
    cfg = load_config(EXAMPLE)
    assert cfg["report"]["map_dpi"] == 300 and cfg["travel"]["model"] == "straight_line"
    assert cfg["paths"]["regions.path"] == zaitaku.sample_path("municipalities.shp")
    assert cfg["paths"]["report.output_dir"] == (EXAMPLE.parent / "../sample-report")
    assert cfg["planning"] is None and cfg["roads"] is None
    assert cfg["credits"][0]["text"].startswith("サンプル県のデータはすべて架空")


@pytest.mark.parametrize("text, key, expected", [
    (BASE.replace('title = "t"', "title = 3"), "report.title", "a string"),
    (BASE.replace('title = "t"', 'titel = "t"'), "report.titel", "did you mean 'title'"),
    (BASE + '[analysis]\nradius = "16 parsecs"\n', "analysis.radius", "positive distance"),
    (BASE + "[analysis]\nradius = -5\n", "analysis.radius", "positive distance"),
    (BASE.replace('mesh_field = "mesh_code"', 'id_field = "x"'), "demand.mesh_field",
     "mesh_field, or id_field"),
    (BASE + '[travel]\nmodel = "road_time"\n', "travel.model", "not available in this version"),
    (BASE + '[travel]\nmodel = "teleport"\n', "travel.model", "'straight_line' or"),
    (BASE + '[travel]\nmodel = "detour"\n', "travel.detour_factor", "between 1 and 5"),
    (BASE + '[roads]\npath = "roads.shp"\n', "roads", "not available in this version"),
    (BASE + "[planning]\nbudget = 3\n", "planning", "not available in this version"),
    (BASE + '[planning]\nbudgett = 3\n', "planning.budgett", "did you mean 'budget'"),
    (BASE + '[winter]\nspeed_factor = "slow"\n', "winter.speed_factor", "a number"),
    (BASE + '[report.extra]\n', "report.extra", "one of"),
    (BASE.replace('weight_fields = ["total"]', 'weight_fields = ["total"]\nweight = "age99"'),
     "demand.weight", "one of demand.weight_fields"),
    (BASE + "[[facilities]]\npath = 'sample:facilities.csv'\nkind = 'x'\nkind_field = 'kind'\n",
     "facilities[2].kind", "either kind or kind_field"),
    (BASE.replace('path = "sample:facilities.csv"', 'path = "nowhere.csv"'),
     "facilities[1].path", "an existing file"),
    (BASE + '[report]\n', None, "valid TOML"),
    (BASE.replace("[regions]", "[regionz]"), "regionz", "one of"),
    (BASE + '[[facilities]]\nbbox = [1, 2, 0, 3]\npath = "sample:facilities.csv"\n',
     "facilities[2].bbox", "[lon_min, lat_min, lon_max, lat_max]"),
])
def test_errors_name_file_key_and_expectation(text, key, expected):
    e = error(text)
    assert e.file == "cfg.toml" and e.key == key
    assert str(e).startswith("cfg.toml: ")
    if key:
        assert f"key '{key}'" in str(e)
    assert expected in str(e)
    assert isinstance(e, ValueError) and isinstance(e, zaitaku.CoverageError)


def test_missing_required_keys_and_tables():
    e = error(BASE.replace('id_field = "muni_code"', ""))
    assert e.key == "regions.id_field" and "required" in str(e)
    e = error(BASE.replace("[[facilities]]\npath = \"sample:facilities.csv\"\n"
                           "kind_field = \"kind\"\n", ""))
    assert e.key == "facilities"


def test_registered_feature_lifts_the_refusal():
    register_feature("planning", object())
    try:
        cfg = loads_config(BASE + "[planning]\nbudget = 3\n")
        assert cfg["planning"]["budget"] == 3
    finally:
        from zaitaku import config

        del config._FEATURES["planning"]


def test_environment_variables_in_paths(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    src = zaitaku.sample_path("facilities.csv")
    (tmp_path / "data" / "f.csv").write_bytes(src.read_bytes())
    text = BASE.replace('path = "sample:facilities.csv"', 'path = "${ZT_DATA:-data}/f.csv"')
    assert loads_config(text, base=tmp_path)["paths"]["facilities[1].path"] == \
        tmp_path / "data" / "f.csv"
    monkeypatch.setenv("ZT_DATA", str(tmp_path / "nowhere"))
    assert "nowhere/f.csv" in str(error(text.replace("cfg.toml", "x")))
    e = error(BASE.replace('path = "sample:facilities.csv"', 'path = "${ZT_UNSET_VAR}/f.csv"'))
    assert "ZT_UNSET_VAR" in str(e)


def test_detour_model_shrinks_the_straight_line_radius():
    cfg = loads_config(BASE + '[analysis]\nradius = "16km"\n[travel]\nmodel = "detour"\n'
                       "detour_factor = 1.25\n")
    assert effective_radius_m(cfg) == pytest.approx(16000 / 1.25)


def test_facility_sources_filtered_like_pandas(tmp_path):
    """A JSON list (ids with leading zeros, a point outside the box, one from
    another prefecture) and a CSV, merged with prefixes."""
    rows = [{"id": "0100001", "n": "A", "lt": 40.0, "lg": 136.9},
            {"id": "0100002", "n": "B", "lt": 35.0, "lg": 139.7},   # outside the box
            {"id": "1300003", "n": "C", "lt": 40.1, "lg": 136.8},   # not prefecture 01
            {"id": "0100004", "n": "D", "lt": 39.9, "lg": 137.0}]
    (tmp_path / "st.json").write_text(json.dumps(rows), encoding="utf-8")
    text = BASE + f"""
[[facilities]]
path = "{tmp_path / 'st.json'}"
id_field = "id"
name_field = "n"
lon_field = "lg"
lat_field = "lt"
kind = "nursing"
select_id_prefix = "01"
add_id_prefix = "N"
bbox = [136.0, 39.5, 137.6, 40.5]
"""
    cfg = loads_config(text)
    table, dropped = read_facility_sources(cfg)
    sample = pd.read_csv(zaitaku.sample_path("facilities.csv"), dtype=str)
    frame = pd.DataFrame(rows)
    keep = frame[frame["id"].str.startswith("01") & frame["lg"].between(136.0, 137.6)
                 & frame["lt"].between(39.5, 40.5)]
    assert list(table.facility_id) == list(sample.facility_id) + list("N" + keep.id)
    assert list(table.kind.iloc[len(sample):]) == ["nursing"] * len(keep)
    assert dropped == [("facilities[2]", 1, "範囲外 / outside bbox [136.0, 39.5, 137.6, 40.5]",
                        ["N0100002"])]
    wrong = text.replace('kind = "nursing"', 'kind_field = "kind"')
    with pytest.raises(ConfigError) as info:
        read_facility_sources(loads_config(wrong, file="cfg.toml"))
    e = info.value
    assert e.key == "facilities[2].kind_field" and "a column of st.json" in str(e)


def test_build_analysis_matches_the_sample(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an, notes = build_analysis(load_config(EXAMPLE))
        ref = zaitaku.Analysis.sample()
    pd.testing.assert_frame_equal(an.coverage(area=False), ref.coverage(area=False))
    assert notes["facilities_by_source"] == {"サンプル県 施設一覧（架空）": 41}


# ---------------------------------------------------------------- command line

def test_cli_report_writes_the_report(tmp_path, capsys):
    assert cli.main(["report", str(EXAMPLE), "--out", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "Wrote 15 files" in out
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "サンプル県 在宅医療の到達範囲と空白地域" in page
    assert "サンプル県 施設一覧（架空）" in page  # the source label in the methods
    cov = pd.read_csv(tmp_path / "r" / "tables" / "coverage.csv", encoding="utf-8-sig",
                      dtype={"region_id": str})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        ref = zaitaku.Analysis.sample().coverage()
    assert cov.share_covered.to_numpy() == pytest.approx(ref.share_covered.to_numpy())


def test_cli_report_bad_config_exits_2_naming_file_and_key(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace('radius = "16km"',
                                                               'radius = "sixteen"'),
                   encoding="utf-8")
    assert cli.main(["report", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("zaitaku: error: ") and str(bad) in err
    assert "analysis.radius" in err and "expected a positive distance" in err
    assert cli.main(["report", str(tmp_path / "none.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "sample-report").exists()


def test_cli_report_check_only(capsys):
    assert cli.main(["report", str(EXAMPLE), "--check"]) == 0
    assert "valid" in capsys.readouterr().out
