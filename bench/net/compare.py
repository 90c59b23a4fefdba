"""Check that libcoverage and pgRouting computed the same reach sets and nearest facilities.

Reads from DIR the files bench_net and pgrouting_peer.py wrote:
``ours_reach.csv`` / ``peer_reach.csv`` (``facility_id,node,cost``) and ``ours_nearest.csv`` /
``peer_nearest.csv`` (``node,facility_id,cost``), and checks:

- reach: the same (facility, node) pairs on both sides, costs equal within 1e-6 relative;
- nearest: the same nodes, costs equal within 1e-6 relative; the facility must match only
  where it is unique, i.e. where no other facility reaches the node (per ``ours_reach``) at a
  cost within the same tolerance of the nearest (ties may be broken either way);
- informational only, when DIR/peer_nearest_equicost.csv exists: how many nodes pgRouting's
  ``equicost => true`` leaves out or gives another cost (see pgrouting_peer.py);
- ours is self-consistent: each nearest cost is the minimum of that node's reach costs.

Prints one JSON line (``reach_identical``, ``nearest_identical`` and the counts behind them) and
up to five examples of each kind of difference on stderr. Exits 0 when all checks hold, 1 when
one fails, 2 on unreadable input.

Usage::

    python bench/net/compare.py DIR [--rtol 1e-6]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REACH_COLS = ["facility_id", "node", "cost"]
NEAREST_COLS = ["node", "facility_id", "cost"]


def read(path: Path, cols: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise ValueError(f"{path}: missing")
    df = pd.read_csv(path, dtype={"facility_id": str, "node": "int64", "cost": "float64"})
    if list(df.columns) != cols:
        raise ValueError(f"{path}: line 1: header is {list(df.columns)}, expected {','.join(cols)}")
    bad = df["cost"].isna() | ~np.isfinite(df["cost"]) | (df["cost"] < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"{path}: line {i + 2}: field cost: not a finite non-negative number")
    dup = df.duplicated(cols[:2] if cols == REACH_COLS else ["node"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise ValueError(f"{path}: line {i + 2}: duplicate {cols[:2] if cols == REACH_COLS else 'node'}")
    return df


def close(a: np.ndarray, b: np.ndarray, rtol: float) -> np.ndarray:
    # Relative to the larger cost; an absolute floor of 1e-9 m keeps cost 0 == 0 exact enough.
    return np.abs(a - b) <= rtol * np.maximum(np.abs(a), np.abs(b)) + 1e-9


def show(title: str, df: pd.DataFrame) -> None:
    if len(df):
        print(f"compare: {title}: {len(df)}, e.g.\n{df.head(5).to_string(index=False)}",
              file=sys.stderr)


def compare(d: Path, rtol: float) -> dict:
    ours_r = read(d / "ours_reach.csv", REACH_COLS)
    peer_r = read(d / "peer_reach.csv", REACH_COLS)
    ours_n = read(d / "ours_nearest.csv", NEAREST_COLS)
    peer_n = read(d / "peer_nearest.csv", NEAREST_COLS)

    r = ours_r.merge(peer_r, on=["facility_id", "node"], how="outer",
                     suffixes=("_ours", "_peer"), indicator=True)
    only_ours = r[r["_merge"] == "left_only"]
    only_peer = r[r["_merge"] == "right_only"]
    both = r[r["_merge"] == "both"]
    cost_ok = close(both["cost_ours"].to_numpy(), both["cost_peer"].to_numpy(), rtol)
    show("reach pairs only in ours", only_ours[["facility_id", "node", "cost_ours"]])
    show("reach pairs only in pgRouting", only_peer[["facility_id", "node", "cost_peer"]])
    show("reach costs that differ", both[~cost_ok][["facility_id", "node", "cost_ours", "cost_peer"]])
    rel = (np.abs(both["cost_ours"] - both["cost_peer"])
           / np.maximum(both[["cost_ours", "cost_peer"]].max(axis=1), 1e-300))
    reach_ok = len(only_ours) == 0 and len(only_peer) == 0 and bool(cost_ok.all())

    n = ours_n.merge(peer_n, on="node", how="outer", suffixes=("_ours", "_peer"), indicator=True)
    n_only_ours = n[n["_merge"] == "left_only"]
    n_only_peer = n[n["_merge"] == "right_only"]
    nb = n[n["_merge"] == "both"]
    ncost_ok = close(nb["cost_ours"].to_numpy(), nb["cost_peer"].to_numpy(), rtol)
    show("nearest nodes only in ours", n_only_ours[["node", "facility_id_ours", "cost_ours"]])
    show("nearest nodes only in pgRouting", n_only_peer[["node", "facility_id_peer", "cost_peer"]])
    show("nearest costs that differ", nb[~ncost_ok][["node", "cost_ours", "cost_peer"]])

    # Which facilities tie for nearest at each node, from our reach sets.
    best = ours_r.groupby("node")["cost"].min().rename("best")
    rr = ours_r.join(best, on="node")
    tied = rr[close(rr["cost"].to_numpy(), rr["best"].to_numpy(), rtol)]
    n_tied = tied.groupby("node").size().rename("n_tied")
    nb = nb.join(n_tied, on="node").join(best, on="node")
    unique = nb["n_tied"] == 1
    fac_bad = nb[unique & (nb["facility_id_ours"] != nb["facility_id_peer"])]
    show("nearest facility differs where unique",
         fac_bad[["node", "facility_id_ours", "facility_id_peer", "cost_ours"]])
    self_bad = nb[nb["best"].isna() | ~close(nb["cost_ours"].to_numpy(), nb["best"].to_numpy(), rtol)]
    show("ours: nearest cost is not the minimum of the reach costs", self_bad[["node", "cost_ours", "best"]])
    nearest_ok = (len(n_only_ours) == 0 and len(n_only_peer) == 0 and bool(ncost_ok.all())
                  and len(fac_bad) == 0 and len(self_bad) == 0)

    eq = {}
    if (d / "peer_nearest_equicost.csv").is_file():
        e = ours_n.merge(read(d / "peer_nearest_equicost.csv", NEAREST_COLS), on="node", how="outer",
                         suffixes=("_ours", "_peer"), indicator=True)
        eb = e[e["_merge"] == "both"]
        eok = close(eb["cost_ours"].to_numpy(), eb["cost_peer"].to_numpy(), rtol)
        eq = {"equicost_nodes_missing": int((e["_merge"] != "both").sum()),
              "equicost_cost_diffs": int((~eok).sum())}
    return eq | {
        "reach_identical": reach_ok, "reach_pairs_ours": len(ours_r), "reach_pairs_peer": len(peer_r),
        "reach_only_ours": len(only_ours), "reach_only_peer": len(only_peer),
        "reach_cost_diffs": int((~cost_ok).sum()),
        "reach_max_rel_diff": float(rel.max()) if len(rel) else 0.0,
        "nearest_identical": nearest_ok, "nearest_nodes_ours": len(ours_n),
        "nearest_nodes_peer": len(peer_n), "nearest_cost_diffs": int((~ncost_ok).sum()),
        "nearest_unique_checked": int(unique.sum()), "nearest_facility_diffs": len(fac_bad),
        "nearest_ties": int((~unique).sum()), "ours_inconsistent": len(self_bad),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--rtol", type=float, default=1e-6)
    args = ap.parse_args(argv)
    try:
        result = compare(args.dir, args.rtol)
    except (ValueError, OSError) as e:
        print(f"compare: error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0 if result["reach_identical"] and result["nearest_identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
