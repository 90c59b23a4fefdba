"""The 2020 census 500 m mesh (e-Stat T001141) as downloaded: all of Japan
and Hokkaido, against published census figures and a plain re-count of the
raw cells with the csv module.

Real files come from ``COV_SHARED_DATA`` (default ``../shared/data``); the
tests skip with a message when they are absent.
"""
import csv
import io
import time
import warnings
import zipfile

import pandas as pd

import zaitaku
from zaitaku import official
from realdata import DATA, real

ZIPS = DATA / "raw" / "estat_census2020_mesh500m_allJapan" / "zips"
N03_SHP = DATA / "hokkaido_n03_shapefile_cp932" / "N03-22_01_220101.shp"

# 令和2年国勢調査 人口等基本集計: 日本の人口 126,146,099, 世帯数 55,830,154;
# 北海道の人口 5,224,614.
JAPAN_2020 = 126_146_099
JAPAN_HOUSEHOLDS_2020 = 55_830_154
HOKKAIDO_2020 = 5_224_614


def hokkaido_zips():
    """The 1st-level meshes of Hokkaido: latitude code 62 and above (SOURCE.md);
    a few of them also hold northern Aomori."""
    return [z for z in sorted(real(ZIPS).glob("*.zip")) if int(z.stem[-4:-2]) >= 62]


def recount(zips):
    """Sums over the raw cells with the csv module: total, 65+ where it is a
    number, the '*' cells, and the people of 合算 cells (HTKSYORI=2)."""
    out = dict(total=0, age65=0, stars65=0, merged=0, merged_people=0, rows=0)
    for path in zips:
        with zipfile.ZipFile(path) as z:
            name = next(n for n in z.namelist() if n.endswith(".txt"))
            rows = list(csv.reader(io.StringIO(z.read(name).decode("cp932"))))
        head = rows[0]
        i_tot, i_65, i_sec = (head.index(c) for c in ("T001141001", "T001141019", "HTKSYORI"))
        for r in rows[2:]:
            out["rows"] += 1
            out["total"] += int(r[i_tot])
            if r[i_65] == "*":
                out["stars65"] += 1
            else:
                out["age65"] += int(r[i_65])
            if r[i_sec] == "2":
                out["merged"] += 1
                out["merged_people"] += int(r[i_tot])
    return out


def test_all_japan_total_is_the_census_figure():
    real(ZIPS)
    t0 = time.perf_counter()
    people = official.read_estat_mesh(ZIPS)
    seconds = time.perf_counter() - t0
    rep = people.attrs["report"]
    merged = people.merged_into != ""
    print(f"\nall Japan: {len(people):,} cells read in {seconds:.1f} s; total "
          f"{people.total.sum():,.0f} (census {JAPAN_2020:,}); 合算 cells {merged.sum():,} "
          f"holding {people.total[merged].sum():,.0f} people; 65+ {people.age65.sum():,.0f}, "
          f"75+ {people.age75.sum():,.0f}, 85+ {people.age85.sum():,.0f}")
    assert people.columns.tolist() == ["mesh_code", "total", "age65", "age75", "age85",
                                       "households", "merged_into"]
    assert people.total.sum() == JAPAN_2020
    assert people.households.sum() == JAPAN_HOUSEHOLDS_2020
    assert people.mesh_code.is_unique and people.mesh_code.str.len().eq(9).all()
    # 合算 cells keep their people in the total (they were once dropped: 634,787 people).
    assert people.total[merged].sum() == 634_787
    assert people.age65[merged].isna().all() and people.age65[~merged].notna().all()
    assert people.merged_into[merged].isin(people.mesh_code).all()
    assert (rep.read, rep.kept, rep.n_rejected) == (len(people), len(people), 0)
    assert f"{merged.sum()} cells merged for secrecy" in rep.notes[0]
    assert "634,787 people" in rep.notes[0] and "age65, age75, age85" in rep.notes[0]
    # age groups nest
    known = people[~merged]
    assert ((known.age85 <= known.age75) & (known.age75 <= known.age65)).all()
    assert seconds < 60, "the all-Japan read must take seconds"


def test_hokkaido_against_a_plain_recount_and_the_census():
    zips = hokkaido_zips()
    real(N03_SHP)
    people = official.read_estat_mesh(zips)
    raw = recount(zips)
    merged = people.merged_into != ""
    assert len(people) == raw["rows"]
    assert people.total.sum() == raw["total"]
    assert people.age65.sum() == raw["age65"]
    assert people.age65.isna().sum() == raw["stars65"] == raw["merged"] == merged.sum()
    assert people.total[merged].sum() == raw["merged_people"]
    # Inside the 21 二次医療圏 (the 1st meshes also hold northern Aomori):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        munis = official.read_n03(N03_SHP)
        areas = official.regions_by(munis, "hokkaido", "iryoken2")
        demand = zaitaku.read_demand(people.fillna({"age65": 0, "age75": 0, "age85": 0}),
                                     mesh_field="mesh_code", weight_fields=["total", "age75"])
        nurse = zaitaku.read_facilities(pd.DataFrame({"facility_id": ["s"], "kind": ["nursing"],
                                                      "lon": [141.35], "lat": [43.06]}),
                                        kind_field="kind")
        an = zaitaku.Analysis(areas, nurse, demand, radius="16km")
        cov = an.coverage()
        where = an.assignment().merge(people, left_on="demand_id", right_on="mesh_code")
    inside = cov[cov.kind == "nursing"].demand_total.sum()
    out = where[where.method == "unassigned"]
    print(f"\nHokkaido: {people.total.sum():,.0f} people in the {len(zips)} 1st meshes, "
          f"{inside:,.0f} inside the 21 areas (census {HOKKAIDO_2020:,}); "
          f"{len(out)} cells ({out.total.sum():,.0f} people) outside, in Aomori")
    assert inside == HOKKAIDO_2020
    assert inside + out.total.sum() == raw["total"]
    # the cells left out lie south of Hokkaido's southern tip (41.35 N, 白神岬): Aomori
    lat = [zaitaku.mesh.decode_mesh(c)[1] for c in out.mesh_code]
    assert max(lat) < 41.6 and out.mesh_code.str[:4].isin(["6239", "6240", "6241"]).all()
