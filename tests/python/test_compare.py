"""Two runs side by side (issue 18, "No view of change"): ``zaitaku.compare``
and ``zaitaku compare``, checked against the two runs' own tables.

Every difference is recomputed here with pandas from the coverage.csv and
reach.csv each run wrote (Analysis.save); units gained and lost from the
reach tables' ``n_within``; the "all" rows from sums of the region rows;
and the units' weights against libcoverage's demand_covered.
"""
import shutil
import warnings

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import zaitaku
from zaitaku.cli.commands import main
from realdata import quiet

FACTORS = {"9901": 0.9, "9902": 1.2, "9903": 0.5}


def read(path):
    return pd.read_csv(path, dtype={"region_id": str, "demand_id": str, "kind": str},
                       keep_default_na=False, na_values=["", "nan", "NaN"])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The sample at 16 km and at 10 km, as analyses and as saved folders."""
    root = tmp_path_factory.mktemp("runs")
    a, b = quiet(zaitaku.Analysis.sample), quiet(zaitaku.Analysis.sample, radius="10km")
    quiet(a.save, root / "r16")
    quiet(b.save, root / "r10")
    return dict(a=a, b=b, fa=root / "r16", fb=root / "r10", root=root)


@pytest.fixture(scope="module")
def folders(runs):
    return quiet(zaitaku.compare, runs["fa"], runs["fb"], names=("16km", "10km"))


# ---------------------------------------------------------------- the table

def test_table_against_each_runs_coverage_csv(runs, folders):
    t = folders.table
    for name, folder in (("16km", runs["fa"]), ("10km", runs["fb"])):
        own = read(folder / "coverage.csv")
        got = t[t.region_id != "all"].merge(own, on=["region_id", "kind"], validate="1:1")
        assert len(got) == len(own) == len(t[t.region_id != "all"])
        assert np.array_equal(got[f"demand_total_{name}"], got.demand_total)
        assert np.array_equal(got[f"demand_covered_{name}"], got.demand_covered)
        assert np.allclose(got[f"demand_uncovered_{name}"], got.demand_total - got.demand_covered)
        assert np.allclose(got[f"share_covered_{name}"], got.share_covered, equal_nan=True)
        assert np.allclose(got[f"area_covered_km2_{name}"], got.area_covered_km2)
        # "all": sums of the region rows of the run's own table
        sums = own.groupby("kind")[["demand_total", "demand_covered", "area_covered_km2"]].sum()
        alls = t[t.region_id == "all"].set_index("kind")
        assert set(alls.index) == set(sums.index)
        for kind, s in sums.iterrows():
            assert alls.loc[kind, f"demand_covered_{name}"] == pytest.approx(s.demand_covered)
            assert alls.loc[kind, f"share_covered_{name}"] == pytest.approx(
                s.demand_covered / s.demand_total)
            assert alls.loc[kind, f"area_covered_km2_{name}"] == pytest.approx(s.area_covered_km2)
    a, b = read(runs["fa"] / "coverage.csv"), read(runs["fb"] / "coverage.csv")
    both = a.merge(b, on=["region_id", "kind"], suffixes=("_a", "_b"))
    got = t.merge(both, on=["region_id", "kind"])
    assert np.allclose(got.change_demand_covered, got.demand_covered_b - got.demand_covered_a)
    assert np.allclose(got.change_share_covered, got.share_covered_b - got.share_covered_a,
                       equal_nan=True)
    assert np.allclose(got.change_area_covered_km2,
                       got.area_covered_km2_b - got.area_covered_km2_a)
    assert (got.change_demand_total == 0).all() and (got.change_demand_covered <= 0).any()
    assert (t.note[t.region_id != "all"] == "").all()
    assert folders.notes == ["reach differs: 16 km (16km), 10 km (10km)"]


def test_analyses_give_the_folders_table(runs, folders):
    api = quiet(zaitaku.compare, runs["a"], runs["b"], names=("16km", "10km"))
    cols = [c for c in folders.table.columns if c in api.table.columns]
    pd.testing.assert_frame_equal(api.table[cols], folders.table[cols], check_dtype=False)
    assert api.notes == folders.notes  # the written threshold reads as the analysis's


# ---------------------------------------------------------------- the units

def test_cells_against_the_reach_tables(runs, folders):
    ra, rb = (read(runs[k] / "reach.csv") for k in ("fa", "fb"))
    ra, rb = (r[r.region_id.fillna("") != ""] for r in (ra, rb))  # in no region: nowhere
    both = ra.merge(rb, on=["demand_id", "kind"], suffixes=("_a", "_b"))
    ia, ib = both.n_within_a > 0, both.n_within_b > 0
    cells = folders.cells
    for kind, group in both.groupby("kind"):
        mine = cells[cells.kind == kind]
        g_a, g_b = group.n_within_a > 0, group.n_within_b > 0
        assert (mine.change == "gained").sum() == (~g_a & g_b).sum()
        assert (mine.change == "lost").sum() == (g_a & ~g_b).sum()
        assert (mine.change == "covered_both").sum() == (g_a & g_b).sum()
        assert len(mine) == len(group)
    assert (ia & ~ib).sum() > 0 and not (~ia & ib).any()  # a smaller radius only loses
    # doctor_and_nursing: a doctor and a nurse within reach
    doc = both[both.kind == "doctor_any"].set_index("demand_id")
    nur = both[both.kind == "nursing"].set_index("demand_id")
    lost = (doc.n_within_a > 0) & (nur.n_within_a > 0) & ~((doc.n_within_b > 0)
                                                           & (nur.n_within_b > 0))
    dn = cells[cells.kind == "doctor_and_nursing"].set_index("demand_id")
    assert set(dn.index[dn.change == "lost"]) == set(lost.index[lost])
    assert folders.cells[["lon", "lat"]].notna().all().all()
    assert folders.cells["weight_16km"].isna().all()  # reach.csv holds no weights


def test_cell_weights_add_up_to_libcoverage_coverage(runs):
    cmp = quiet(zaitaku.compare, runs["a"], runs["b"], names=("16km", "10km"), area=False)
    for name, an in (("16km", runs["a"]), ("10km", runs["b"])):
        cov = an.coverage(area=False).set_index(["region_id", "kind"]).demand_covered
        cells = cmp.cells[cmp.cells[f"covered_{name}"].astype(bool)]
        sums = cells.groupby(["region_id", "kind"])[f"weight_{name}"].sum()
        got = sums.reindex(cov.index, fill_value=0.0)
        assert np.allclose(got.to_numpy(), cov.to_numpy()), name  # doctor_and_nursing too
    s = cmp.summary().set_index("kind")
    # same weights in both: the change is the units lost (nothing is gained)
    assert np.allclose(s.change_demand_covered, -s.demand_lost)
    assert (s.n_gained == 0).all() and (s.n_lost > 0).all()


def test_scaled_demand_moves_totals_not_units(runs):
    later = quiet(runs["a"].scale_demand, FACTORS)
    cmp = quiet(zaitaku.compare, runs["a"], later, names=("2025", "2040"), area=False)
    t = cmp.table[cmp.table.region_id != "all"]
    for rid, f in FACTORS.items():
        rows = t[t.region_id == rid]
        assert np.allclose(rows.change_demand_total, (f - 1) * rows.demand_total_2025)
        assert rows.note.str.contains("demand total differs").all()
    assert (cmp.cells.change.isin(["gained", "lost"])).sum() == 0
    assert any("demand totals differ" in n for n in cmp.notes)
    ratio = cmp.cells.weight_2040 / cmp.cells.weight_2025
    want = cmp.cells.region_id.map(FACTORS)
    assert np.allclose(ratio[cmp.cells.weight_2025 > 0], want[cmp.cells.weight_2025 > 0])


# ---------------------------------------------------------------- what differs

def test_regions_and_kinds_in_one_run_only(runs, tmp_path):
    b = tmp_path / "b"
    shutil.copytree(runs["fb"], b)
    cov = read(b / "coverage.csv")
    cov[(cov.region_id != "9903") & (cov.kind != "zaibyo")].to_csv(b / "coverage.csv",
                                                                   index=False)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", zaitaku.CoverageWarning)
        cmp = zaitaku.compare(runs["fa"], b, names=("16km", "10km"))
    said = [str(w.message) for w in said]
    assert any("regions only in 16km: 9903" in w for w in said), said
    assert any("kinds only in 16km: zaibyo" in w for w in said), said
    t = cmp.table
    gone = t[(t.region_id == "9903") & (t.kind != "zaibyo")]
    assert len(gone) and gone.demand_total_10km.isna().all()
    assert gone.change_demand_covered.isna().all()
    assert (gone.note == "only in 16km").all()
    assert gone.demand_total_16km.notna().all()
    zaibyo = t[t.kind == "zaibyo"]
    assert zaibyo.demand_covered_10km.isna().all()
    alls = t[t.region_id == "all"].set_index("kind")
    assert "other regions" in alls.loc["nursing", "note"]
    assert "kind only in 16km" in alls.loc["zaibyo", "note"]
    assert any("kinds only in 16km: zaibyo" in n for n in cmp.notes)


def test_same_run_has_nothing_to_flag_other_weights_are(runs):
    cmp = quiet(zaitaku.compare, runs["a"], runs["fa"])
    assert cmp.notes == [] and (cmp.table.change_demand_covered.fillna(0) == 0).all()
    assert not cmp.cells.change.isin(["gained", "lost", "only_in_a", "only_in_b"]).any()
    other = runs["root"] / "age75"
    shutil.copytree(runs["fa"], other, dirs_exist_ok=True)
    read(runs["fa"] / "coverage.csv").assign(weight="age75").to_csv(other / "coverage.csv",
                                                                    index=False)
    with pytest.warns(zaitaku.CoverageWarning, match="weights differ: total"):
        cmp = zaitaku.compare(runs["a"], other)
    assert any(n.startswith("weights differ") for n in cmp.notes)


def test_names(runs, tmp_path):
    quiet(quiet(zaitaku.Analysis.sample, scenario="2025").save, tmp_path / "x")
    quiet(quiet(zaitaku.Analysis.sample, radius="10km", scenario="2040").save, tmp_path / "y")
    assert quiet(zaitaku.compare, tmp_path / "x", tmp_path / "y").names == ["2025", "2040"]
    assert quiet(zaitaku.compare, runs["fa"], runs["fb"]).names == ["r16", "r10"]
    assert quiet(zaitaku.compare, runs["a"], runs["b"]).names == ["a", "b"]
    assert quiet(zaitaku.compare, runs["a"], runs["b"], names="p,q").names == ["p", "q"]
    with pytest.raises(ValueError, match="two different names"):
        zaitaku.compare(runs["a"], runs["b"], names=("p", "p"))


def test_japanese_headers_and_report_tables(runs, tmp_path):
    quiet(runs["a"].save, tmp_path / "ja", headers="ja")
    ja = quiet(zaitaku.compare, tmp_path / "ja", runs["fb"], names=("16km", "10km"))
    assert np.allclose(ja.table.change_demand_covered,
                       quiet(zaitaku.compare, runs["fa"], runs["fb"],
                             names=("16km", "10km")).table.change_demand_covered)
    # a report folder: tables/coverage.csv (UTF-8 with a BOM), no reach table
    from zaitaku.report.tables import write_csv

    (tmp_path / "rep" / "tables").mkdir(parents=True)
    write_csv(read(runs["fa"] / "coverage.csv"), tmp_path / "rep" / "tables" / "coverage.csv")
    rep = quiet(zaitaku.compare, tmp_path / "rep", runs["fb"])
    assert rep.names[0] == "rep" and rep.cells is None
    assert any("no reach table for rep" in n for n in rep.notes)
    assert np.allclose(rep.table.change_demand_covered, ja.table.change_demand_covered)


def test_bad_input_names_the_file(runs, tmp_path):
    with pytest.raises(OSError, match="coverage.csv: does not exist"):
        zaitaku.compare(tmp_path, runs["fa"])
    (tmp_path / "coverage.csv").write_text("region_id,kind\n1,nursing\n")
    with pytest.raises(LookupError, match=r"coverage.csv: no column 'region_name'"):
        zaitaku.compare(tmp_path, runs["fa"])
    with pytest.raises(TypeError, match="Analysis or a folder"):
        zaitaku.compare(3, runs["fa"])


# ---------------------------------------------------------------- map and files

def test_map_legend_counts(runs):
    from matplotlib.legend import Legend

    cmp = quiet(zaitaku.compare, runs["a"], runs["b"], names=("16km", "10km"), area=False)
    fig = cmp.plot("nursing")
    texts = [t.get_text() for lg in fig.findobj(Legend) for t in lg.get_texts()]
    cells = cmp.cells[cmp.cells.kind == "nursing"]
    lost = cells[cells.change == "lost"]
    assert any(t.startswith(f"10kmで圏外になった: {len(lost):,}（需要 "
                            f"{lost.weight_16km.sum():,.0f}）") for t in texts), texts
    assert any(t.startswith("10kmで圏内になった: 0") for t in texts), texts
    with pytest.raises(ValueError, match="no units of kind 'dentist'"):
        cmp.plot("dentist")


def test_save_writes_the_tables_and_map(runs, folders, tmp_path):
    written = quiet(folders.save, tmp_path / "out", kinds=["nursing"], dpi=30)
    assert [p.name for p in written] == ["compare.csv", "compare_cells.csv", "compare_runs.csv",
                                         "compare_nursing.png"]
    assert written[-1].read_bytes()[1:4] == b"PNG"
    back = read(written[0])
    assert np.allclose(back.change_demand_covered, folders.table.change_demand_covered,
                       equal_nan=True)
    cells = read(written[1])
    assert (cells.change.value_counts() == folders.cells.change.value_counts()).all()
    runs_csv = read(written[2])
    assert runs_csv.reach.tolist() == ["16 km", "10 km"]


# ---------------------------------------------------------------- command line

def test_cli_compare(runs, folders, tmp_path, capsys):
    out = tmp_path / "diff"
    rc = main(["compare", str(runs["fa"]), str(runs["fb"]), "--out", str(out),
               "--names", "16km,10km"])
    printed = capsys.readouterr()
    assert rc == 0, printed.err
    got = read(out / "compare.csv")
    want = folders.table
    assert np.allclose(got.change_demand_covered, want.change_demand_covered, equal_nan=True)
    assert (out / "compare_doctor_and_nursing.png").read_bytes()[1:4] == b"PNG"
    s = folders.summary().set_index("kind")
    line = next(x for x in printed.out.splitlines() if x.strip().startswith("nursing:"))
    assert f"lost {int(s.loc['nursing', 'n_lost']):,}" in line
    assert f"covered -{-s.loc['nursing', 'change_demand_covered']:,.0f}" in line
    assert "zaitaku: note: reach differs" in printed.err
    # read alone: what each side counts, from each run's own coverage.csv
    for name, run in (("16km", runs["fa"]), ("10km", runs["fb"])):
        own = pd.read_csv(run / "coverage.csv")
        assert set(got[f"weight_column_{name}"]) == set(own.weight)
        assert set(got[f"threshold_{name}"]) == set(own.threshold)
    # Japanese headings read back to the same table
    rc = main(["compare", str(runs["fa"]), str(runs["fb"]), "--out", str(tmp_path / "ja"),
               "--names", "16km,10km", "--headers", "ja", "--no-map"])
    assert rc == 0
    header = (tmp_path / "ja" / "compare.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("圏域コード,圏域名,種類,種類（名称）,")
    from zaitaku.outputs import read_csv
    back = read_csv(tmp_path / "ja" / "compare.csv", dtype={"region_id": str})
    pdt.assert_frame_equal(back[got.columns], got, check_dtype=False)


@pytest.mark.parametrize("args, message", [
    (["{a}", "{missing}"], "does not exist"),
    (["{a}", "{empty}"], "coverage.csv: does not exist"),
    (["{a}", "{b}", "--kind", "dentist"], "--kind dentist: in neither run"),
    (["{a}", "{b}", "--names", "x"], "give two different names"),
])
def test_cli_errors(runs, tmp_path, capsys, args, message):
    (tmp_path / "empty").mkdir()
    paths = dict(a=runs["fa"], b=runs["fb"], missing=tmp_path / "nothing",
                 empty=tmp_path / "empty")
    argv = ["compare"] + [a.format(**paths) for a in args] + ["--out", str(tmp_path / "o")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            rc = main(argv)
        except SystemExit as e:  # argparse's usage errors
            rc = e.code
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and err[0].startswith("zaitaku: error:") \
        and message in err[0], err
    assert not (tmp_path / "o").exists()
