"""Reading and locating times of the real-data readers (issue 13): the
北海道厚生局 届出 list, all of Japan's 医療機関コード list, the Geolonia town
points, the geocoder, and the all-Japan 2020 census mesh.

    .venv/bin/python bench/bench_realdata.py [--runs 3] [--data ../shared/data]

Prints one line per stage (best of the runs, wall-clock seconds, file
reading included, Python imports excluded) and the located shares; no data
figure leaves the machine.
"""
import argparse
import os
import time
import warnings
from pathlib import Path

import zaitaku
from zaitaku import official

ROOT = Path(__file__).resolve().parents[1]


def best(runs, fn):
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", zaitaku.CoverageWarning)
            out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def shares(loc):
    s = loc.match_level.value_counts(normalize=True)
    return ", ".join(f"{k} {s.get(k, 0):.1%}" for k in ("town", "municipality", "none"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--data", default=os.environ.get("COV_SHARED_DATA") or ROOT.parent / "shared" / "data")
    a = ap.parse_args()
    raw = Path(a.data) / "raw"
    todokede = raw / "kouseikyoku_todokede_202510_hokkaido" / "hokkaido_todokede_202510.xlsx"
    codes = raw / "med_inst_codes_allJapan_202508" / "202508_all_med_inst_cd.zip"
    geolonia = raw / "geolonia_japanese_addresses"
    mesh = raw / "estat_census2020_mesh500m_allJapan" / "zips"
    rows = []

    t, shien = best(a.runs, lambda: official.read_kouseikyoku_todokede(todokede))
    rows.append(("北海道 届出 list: read (36,712 rows -> institutions with a kind)", t, len(shien)))
    t, hok = best(a.runs, lambda: official.read_geolonia_towns(geolonia, prefecture="北海道"))
    rows.append(("Geolonia towns, Hokkaido: read", t, len(hok)))
    t, loc = best(a.runs, lambda: official.locate_addresses(shien, hok, prefecture="北海道"))
    rows.append((f"北海道 届出 list: locate ({shares(loc)})", t, len(loc)))
    t, every = best(a.runs, lambda: official.read_med_inst_codes(codes))
    rows.append(("医療機関コード list, all Japan: read", t, len(every)))
    t, towns = best(a.runs, lambda: official.read_geolonia_towns(geolonia))
    rows.append(("Geolonia towns, all Japan: read", t, len(towns)))
    t, loc = best(a.runs, lambda: official.locate_addresses(every, towns, prefecture_field="pref_code"))
    rows.append((f"医療機関コード list, all Japan: locate ({shares(loc)})", t, len(loc)))
    t, people = best(a.runs, lambda: official.read_estat_mesh(mesh))
    rows.append(("2020 census 500 m mesh, all Japan (151 zips): read", t, len(people)))

    print(f"zaitaku {zaitaku.__version__}; best of {a.runs} runs, wall-clock seconds\n")
    print("| stage | rows | s |\n|---|---:|---:|")
    for what, t, n in rows:
        print(f"| {what} | {n:,} | {t:.2f} |")
    compare_r5(Path(a.data), shien, hok)


def compare_r5(data, shien, towns):
    """在支診 per 二次医療圏: the 2025-10 届出 list, located, against 医療施設調査
    R5 (2023-10) 第24表. Printed only: the figures stay on this machine."""
    import pandas as pd

    r5 = data / "raw" / "estat_iryoshisetsu_r5_zaishishin" / \
        "estat_r5_t24_zaitaku_shien_shinryojo_2ji_HOKKAIDO_EXCERPT.csv"
    n03 = data / "hokkaido_n03_shapefile_cp932" / "N03-22_01_220101.shp"
    if not (r5.exists() and n03.exists()):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        hosp = official.read_iryojoho_facilities(
            data / "raw" / "mhlw_iryojoho_net_hospitals_20250601" / "01-1_hospital_facility_info_20250601.zip",
            prefecture="北海道")
        loc = official.read_home_care_doctors(data / "raw" / "kouseikyoku_todokede_202510_hokkaido" /
                                              "hokkaido_todokede_202510.xlsx", towns, hosp,
                                              prefecture="北海道", min_level="municipality")
        clinics = shien[shien.shien.str.startswith("支援診")]
        loc = loc[loc.shien.str.startswith("支援診")]
        areas = official.regions_by(official.read_n03(n03), "hokkaido", "iryoken2")
        points = zaitaku.read_demand(loc, id_field="facility_id", lon_field="lon", lat_field="lat")
        one = zaitaku.read_facilities(pd.DataFrame({"facility_id": ["x"], "kind": ["nursing"],
                                                    "lon": [141.35], "lat": [43.06]}), kind_field="kind")
        where = zaitaku.Analysis(areas, one, points, radius="16km").assignment()
    ours = where.groupby("region_id").size()
    raw = pd.read_csv(r5, header=None, skiprows=5, dtype=str).fillna("")
    raw["code"] = raw[0].str.extract(r"^(\d{4})")[0]
    raw["name"] = raw[0].str.replace(r"^\d+\s*", "", regex=True).str.strip()
    raw = raw[raw.code.notna()]
    print(f"\n在支診 per 二次医療圏: 2025-10 届出 ({len(loc)} located of {len(clinics)}) vs 医療施設調査 R5")
    print("| area | 2025 届出 | R5 | difference |\n|---|---:|---:|---:|")
    for r in raw.itertuples():
        r5n = 0 if r[3].strip() in ("-", "") else int(r[3])
        n = int(ours.get(r.code, 0))
        print(f"| {r.code} {r.name} | {n} | {r5n} | {n - r5n:+d} |")
    print(f"| total | {int(ours.sum())} | "
          f"{sum(0 if v.strip() in ('-', '') else int(v) for v in raw[2])} | |")


if __name__ == "__main__":
    main()
