"""Measures zaitaku.official.match_facilities on a real pair: the 2015
Hokkaido hospital list (道内医療機関の名簿 H27.10.1, colspan/opendata-jp)
against the 2025-06 医療情報ネット hospitals of Hokkaido.

Neither list carries a medical-institution code, so every match is by name
and address. All 434 医療情報ネット rows are candidates, including the 153
without coordinates (the matcher is measured, not the geocoding).

    .venv/bin/python bench/match_hospitals.py [DATA_DIR]

DATA_DIR defaults to $COV_SHARED_DATA, else ../shared/data.
"""
import os
import sys
import warnings
from pathlib import Path

import pandas as pd

from zaitaku import official

ROOT = Path(__file__).resolve().parents[1]


def main():
    data = Path(sys.argv[1] if len(sys.argv) > 1 else
                os.environ.get("COV_SHARED_DATA") or ROOT.parent / "shared" / "data")
    old = pd.read_csv(data / "raw/hokkaido_hospitals_2015_colspan/hospital_list.csv", dtype=str)
    new = pd.read_csv(data / "raw/mhlw_iryojoho_net_hospitals_20250601/"
                      "01-1_hospital_facility_info_20250601.zip", dtype=str, encoding="utf-8-sig")
    new = new[new["都道府県コード"] == "01"].rename(columns={"ID": "facility_id", "正式名称": "name",
                                                        "所在地": "address"})
    old = old.rename(columns={"hospital_name": "name"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = official.match_facilities(old, new)
    allrows = m.attrs["matches"]
    n = len(allrows)
    print(f"2015 hospitals: {n}; 2025 医療情報ネット hospitals (Hokkaido): {len(new)}")
    counts = allrows.match_method.replace("", "unmatched").value_counts()
    for method in (*official.METHODS, "unmatched"):
        k = int(counts.get(method, 0))
        print(f"  {method:28s} {k:4d}  {k / n:6.1%}")
    print(f"  {'matched':28s} {n - int(counts.get('unmatched', 0)):4d}  "
          f"{1 - counts.get('unmatched', 0) / n:6.1%}")
    dup = allrows.facility_id[allrows.facility_id.notna()].duplicated(keep=False)
    print(f"2025 facilities matched by more than one 2015 row: "
          f"{allrows.facility_id[allrows.facility_id.notna()][dup].nunique()}")
    if "--unmatched" in sys.argv:
        print(allrows.loc[allrows.match_method == "", ["id", "name", "address"]].to_string())


if __name__ == "__main__":
    main()
