"""The TOML configuration (zaitaku.report) and `zaitaku report`: clear errors
naming the file, the key and what was expected; defaults; paths; facility
sources filtered as a plain pandas computation would."""
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import zaitaku
from zaitaku import cli
from zaitaku.report import (ConfigError, build_analysis, effective_radius_m, load_config,
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
    assert cfg["planning"]["budget"] == 2 and cfg["planning"]["min_share_nursing"] == 0.9
    assert cfg["roads"]["path"] == "sample:roads" and cfg["paths"]["roads.path"] == "sample:roads"
    assert cfg["roads"]["snap_max"] == "1km" and cfg["winter"] is None
    assert cfg["facilities"][0]["roles_field"] == "role"
    assert cfg["credits"][0]["text"].startswith("サンプル県のデータはすべて架空")


@pytest.mark.parametrize("text, key, expected", [
    (BASE.replace('title = "t"', "title = 3"), "report.title", "a string"),
    (BASE.replace('title = "t"', 'titel = "t"'), "report.titel", "did you mean 'title'"),
    (BASE + '[analysis]\nradius = "16 parsecs"\n', "analysis.radius", "positive distance"),
    (BASE + "[analysis]\nradius = -5\n", "analysis.radius", "positive distance"),
    (BASE.replace('mesh_field = "mesh_code"', 'id_field = "x"'), "demand.mesh_field",
     "mesh_field, or id_field"),
    (BASE + '[travel]\nmodel = "road_time"\n', "roads", "a [roads] table"),
    (BASE + '[roads]\npath = "sample:roads"\n[travel]\nmodel = "road_time"\n',
     "travel.time_limit", 'a time such as "30min" with travel.model = "road_time"'),
    (BASE + '[roads]\npath = "sample:roads"\n[travel]\nmodel = "road_time"\n'
     'time_limit = "16km"\n', "travel.time_limit", 'a time such as "30min"'),
    (BASE + '[travel]\ntime_limit = "30min"\n', "travel.time_limit",
     'no time_limit unless travel.model = "road_time"'),
    (BASE + '[roads]\npath = "nowhere.shp"\n', "roads.path", "an existing file"),
    (BASE + '[roads]\nclass_field = "fclass"\n', "roads.path", "required"),
    (BASE + '[roads]\npath = "sample:roads"\nsnap_max = "far"\n', "roads.snap_max",
     "positive distance"),
    (BASE + '[roads]\npath = "sample:roads"\nspeeds = {residential = 500}\n',
     "roads.speeds.residential", "a speed between 0 and 200 km/h"),
    (BASE + '[roads]\npath = "sample:roads"\naccess_speed_kmh = 0\n',
     "roads.access_speed_kmh", "a speed between 0 and 200 km/h"),
    (BASE + '[roads]\npath = "sample:roads"\nsnapmax = "1km"\n', "roads.snapmax",
     "did you mean 'snap_max'"),
    (BASE + '[winter]\nenabled = true\n', "winter", "a [roads] table with [winter]"),
    (BASE + '[roads]\npath = "sample:roads"\n[winter]\nfactors = {motorway = 1.5}\n',
     "winter.factors.motorway", "a winter factor in (0, 1]"),
    (BASE + '[roads]\npath = "sample:roads"\n[winter]\nspeed_factor = 0\n',
     "winter.speed_factor", "a winter factor in (0, 1]"),
    (BASE + '[roads]\npath = "sample:roads"\n[winter]\nenabled = "yes"\n', "winter.enabled",
     "true or false"),
    (BASE + '[scenario]\nseason = "winter"\n', "scenario.season",
     '"summer" unless travel.model = "road_time"'),
    (BASE + "[planning]\nbudget = -1\n", "planning.budget", "a whole number >= 0"),
    (BASE + "[planning]\nbudget = 2.5\n", "planning.budget", "a whole number >= 0"),
    (BASE + "[planning]\ntarget_share = 1.5\n", "planning.target_share",
     "a share between 0 and 1"),
    (BASE + "[planning]\nmin_share_nursing = -0.1\n", "planning.min_share_nursing",
     "a share between 0 and 1"),
    (BASE + '[planning]\nnursing_threshold = "30min"\n', "planning.nursing_threshold",
     "without [roads] (a time needs a road network)"),
    (BASE + '[planning]\nnursing_threshold = "soon"\n', "planning.nursing_threshold",
     'a distance such as "16km" or a time such as "30min"'),
    (BASE + '[roads]\npath = "sample:roads"\n[planning]\ndoctor_threshold = "16km"\n'
     'nursing_threshold = "30min"\n', "planning.nursing_threshold",
     "both distances or both times"),
    (BASE + "[planning]\ncandidate_kinds = 'zaishin'\n", "planning.candidate_kinds",
     "a list of strings"),
    (BASE + "[planning]\ncandidates = ['C001']\ncandidate_kinds = ['zaishin']\n",
     "planning.candidates", "either candidates (ids) or candidate_kinds"),
    (BASE + "[planning]\nenhanced_weight = 0.5\n", "planning.enhanced_weight", ">= 1"),
    (BASE + "[planning]\nsites = true\n", "planning.sites", "a whole number >= 0"),
    (BASE + '[travel]\nmodel = "teleport"\n', "travel.model", "'straight_line' or"),
    (BASE + '[travel]\nmodel = "detour"\n', "travel.detour_factor", "between 1 and 5"),
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


def test_unregistered_features_are_refused(monkeypatch):
    from zaitaku.report import schema as config

    for name in ("planning", "roads", "road_time"):
        monkeypatch.delitem(config._FEATURES, name)
    e = error(BASE + "[planning]\nbudget = 3\n")
    assert e.key == "planning" and "not available in this version" in str(e)
    e = error(BASE + '[roads]\npath = "sample:roads"\n')
    assert e.key == "roads" and "not available in this version" in str(e)
    e = error(BASE + '[travel]\nmodel = "road_time"\n')
    assert e.key == "travel.model" and "not available in this version" in str(e)
    register_feature("planning", object())
    assert loads_config(BASE + "[planning]\nbudget = 3\n")["planning"]["budget"] == 3


def test_importing_zaitaku_makes_roads_and_planning_available():
    cfg = loads_config(BASE + '[roads]\npath = "sample:roads"\n[travel]\nmodel = "road_time"\n'
                       'time_limit = "30min"\n[winter]\n[planning]\n')
    assert cfg["roads"]["buffer"] == "100m" and cfg["winter"]["enabled"] is True
    assert cfg["planning"]["min_share_rule16"] == 0.9 and cfg["planning"]["check"] is True


def test_facility_attribute_field_must_exist_and_hold_numbers(tmp_path):
    cfg = loads_config(BASE.replace('kind_field = "kind"', 'kind_field = "kind"\n'
                                    'doctors_field = "doktors"'))
    with pytest.raises(ConfigError) as info:
        read_facility_sources(cfg)
    assert info.value.key == "facilities[1].doctors_field" and "a column of" in str(info.value)
    bad = tmp_path / "f.csv"
    frame = pd.read_csv(zaitaku.sample_path("facilities.csv"), dtype=str)
    frame.loc[3, "doctors"] = "three"
    frame.to_csv(bad, index=False)
    cfg = loads_config(BASE.replace('path = "sample:facilities.csv"', f'path = "{bad}"')
                       .replace('kind_field = "kind"', 'kind_field = "kind"\n'
                                'doctors_field = "doctors"'))
    with pytest.raises(ConfigError) as info:
        read_facility_sources(cfg)
    assert info.value.key == "facilities[1].doctors_field"
    # libcoverage's reader names the file, its line (header = line 1) and the field
    assert 'f.csv line 5, field doctors (facility C004): "three"' in str(info.value)


def test_cp932_facility_csv_in_a_config(tmp_path):
    """Issue 12 bug b: a Shift_JIS (CP932) facility CSV, as Excel saves it,
    named in a report configuration is read by libcoverage's reader (as
    read_facilities reads it), not a pandas one that failed with a bare
    UnicodeDecodeError; the analysis is the one of the UTF-8 file."""
    text = zaitaku.sample_path("facilities.csv").read_text(encoding="utf-8")
    (tmp_path / "cp932.csv").write_bytes(text.encode("cp932"))
    with pytest.raises(UnicodeDecodeError):
        (tmp_path / "cp932.csv").read_bytes().decode("utf-8")
    names = pd.read_csv(zaitaku.sample_path("facilities.csv"), dtype=str).name
    config = EXAMPLE.read_text(encoding="utf-8")
    utf8 = loads_config(config, base=EXAMPLE.parent)
    cp932 = loads_config(config.replace('path = "sample:facilities.csv"',
                                        f'path = "{tmp_path / "cp932.csv"}"'),
                         base=EXAMPLE.parent)
    assert cp932["paths"]["facilities[1].path"] == tmp_path / "cp932.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        an, notes = build_analysis(cp932)
        ref, _ = build_analysis(utf8)
    table, _ = read_facility_sources(cp932)
    assert list(table.name) == list(names)  # the Japanese names decoded
    assert notes["facilities_by_source"] == {"サンプル県 施設一覧（架空）": 41}
    pd.testing.assert_frame_equal(an.coverage(area=False), ref.coverage(area=False))
    pd.testing.assert_frame_equal(an.reach(), ref.reach())
    sample = zaitaku.Analysis.sample()
    pd.testing.assert_frame_equal(an.coverage(area=False), sample.coverage(area=False))


def test_unknown_road_class_in_speeds_names_the_key():
    cfg = loads_config(BASE + '[roads]\npath = "sample:roads"\nspeeds = {motorway = 90}\n')
    with pytest.raises(ConfigError) as info:
        zaitaku.report.build_network(cfg)
    assert info.value.key == "roads.speeds.motorway"
    assert "a road class of the network (residential, secondary)" in str(info.value)


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
    # a relative value is relative to where the user runs the command, not to the file:
    # ZT_DATA=data from tmp_path finds tmp_path/data even for a file in another folder
    other = tmp_path / "configs"
    other.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZT_DATA", "data")
    assert loads_config(text, base=other)["paths"]["facilities[1].path"] == \
        tmp_path / "data" / "f.csv"


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
    assert "Wrote 24 files" in out  # 15 + 9 planning (designation_excluded, _bound) and roads
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


def test_missing_openpyxl_is_said_before_any_work(tmp_path, monkeypatch, capsys):
    """Issue 15: the report died with an ImportError after all the work when
    openpyxl was missing. Now nothing is read and nothing written."""
    import sys

    from zaitaku.report import build, build_report_from_config

    def no_work(*args, **kwargs):
        raise AssertionError("the inputs were read before the missing writer was found")

    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl raises ImportError
    monkeypatch.setattr(build, "build_analysis", no_work)
    cfg = load_config(EXAMPLE)
    with pytest.raises(ImportError, match=r"format xlsx\) need openpyxl.*pip install openpyxl"):
        build_report_from_config(cfg, tmp_path / "r")
    assert not (tmp_path / "r").exists()
    code = cli.main(["report", str(EXAMPLE), "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and "zaitaku: error: the report's Excel tables (format xlsx) need openpyxl" in err
    assert not (tmp_path / "r").exists()
    # without xlsx among the formats the report needs no openpyxl
    monkeypatch.undo()
    text = EXAMPLE.read_text(encoding="utf-8")
    line = 'formats = ["html", "csv", "xlsx", "png", "svg"]'
    assert line in text
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    cfg = loads_config(text.replace(line, 'formats = ["csv"]', 1), base=EXAMPLE.parent)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        result = build_report_from_config(cfg, tmp_path / "c")
    assert result.xlsx is None and result.csv


# ---------------------------------------------------------------- inputs inside the output folder

def _config_with_inputs_in(tmp_path, output_dir, facilities):
    """The sample's configuration with its facility list copied to
    ``facilities`` (relative to the configuration's folder)."""
    fac = tmp_path / facilities
    fac.parent.mkdir(parents=True, exist_ok=True)
    fac.write_bytes(zaitaku.sample_path("facilities.csv").read_bytes())
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(BASE.replace('path = "sample:facilities.csv"', f'path = "{facilities}"')
                   .replace('title = "t"', f'title = "t"\noutput_dir = "{output_dir}"'),
                   encoding="utf-8")
    return cfg, fac


def test_report_refuses_an_input_inside_its_output_folder(tmp_path, capsys):
    """Issue 16: a facility list at out/tables/facilities_by_kind.csv with
    output_dir "out" used to be overwritten by the report (exit 0)."""
    cfg, fac = _config_with_inputs_in(tmp_path, "out", "out/tables/facilities_by_kind.csv")
    before = fac.read_bytes()
    assert cli.main(["report", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert err == (f"zaitaku: error: {cfg}: key 'facilities[1].path': expected an input outside "
                   f"the report's output folder {(tmp_path / 'out').resolve()} (the report writes "
                   "there and would replace it; set report.output_dir or --out elsewhere), got "
                   f"{fac}\n")
    assert fac.read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "out").rglob("*")) == ["facilities_by_kind.csv",
                                                                     "tables"]


def test_report_refuses_an_output_folder_given_by_out_or_a_symlink(tmp_path, capsys):
    cfg, fac = _config_with_inputs_in(tmp_path, "elsewhere", "data/facilities.csv")
    assert cli.main(["report", str(cfg), "--out", str(tmp_path / "data" / ".." / "data")]) == 2
    assert "key 'facilities[1].path'" in capsys.readouterr().err
    (tmp_path / "link").symlink_to(tmp_path / "data")
    assert cli.main(["report", str(cfg), "--out", str(tmp_path / "link")]) == 2
    err = capsys.readouterr().err
    assert f"output folder {(tmp_path / 'data').resolve()} " in err and str(fac) in err
    assert not (tmp_path / "elsewhere").exists()
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["facilities.csv"]


def test_an_output_folder_beside_the_inputs_is_accepted(tmp_path):
    """'out' holds no input of a configuration whose inputs are in 'out2' (a
    prefix of the name is not a folder), nor one in the parent folder."""
    from zaitaku.report.validation import check_inputs_outside

    cfg, _ = _config_with_inputs_in(tmp_path, "out", "out2/facilities.csv")
    config = load_config(cfg)
    check_inputs_outside(config, tmp_path / "out")
    check_inputs_outside(config, tmp_path / "out2" / "sub")
    with pytest.raises(ConfigError, match="facilities"):
        check_inputs_outside(config, tmp_path / "out2")
