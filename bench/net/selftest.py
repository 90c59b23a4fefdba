"""Self-test of the benchmark harness, without libcoverage: networkx stands in for bench_net.

Writes a random directed multigraph in bench_net's format (parallel edges, one-way edges
either way round, integer costs that make ties, a detached part, sources sharing a node) to a
temporary folder, computes ``ours_reach.csv`` and ``ours_nearest.csv`` with networkx, then runs
pgrouting_peer.py and compare.py on it: they must agree. Then it perturbs one of "our" reach
costs, drops one reach pair and swaps one unique nearest facility, and compare.py must catch
each. Exits 0 when all of that holds.

Usage::

    python bench/net/selftest.py [--nodes 400] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import networkx as nx
import numpy as np

HERE = Path(__file__).resolve().parent


def write_graph(d: Path, n: int, rng: np.random.Generator) -> tuple[nx.DiGraph, dict[str, int]]:
    g = nx.DiGraph()
    g.add_nodes_from(range(1, n + 1))
    rows = []
    m = 3 * n
    src = rng.integers(1, n - 9, m)  # nodes n-9..n form a detached part
    dst = np.clip(src + rng.integers(-25, 26, m), 1, n - 10)
    for eid, (s, t) in enumerate(zip(src, dst), start=1):
        cost = float(rng.integers(1, 20)) if rng.random() < 0.5 else float(rng.uniform(0.5, 20))
        kind = rng.random()
        fwd, rev = (cost, cost) if kind < 0.7 else (cost, -1.0) if kind < 0.85 else (-1.0, cost)
        rows.append((eid, int(s), int(t), fwd, rev))
    rows.append((m + 1, n - 5, n - 4, 3.0, 3.0))
    for eid, s, t, fwd, rev in rows:
        for a, b, w in ((s, t, fwd), (t, s, rev)):
            if w >= 0 and a != b and (not g.has_edge(a, b) or g[a][b]["weight"] > w):
                g.add_edge(a, b, weight=w)
    with (d / "edges.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "source", "target", "cost", "reverse_cost"])
        w.writerows(rows)
    nodes = rng.choice(np.arange(1, n - 10), 12, replace=False)
    sources = {f"f{i:02d}": int(v) for i, v in enumerate(nodes)}
    sources["f99"] = int(nodes[0])  # two facilities on one node
    with (d / "sources.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["facility_id", "node"])
        w.writerows(sources.items())
    return g, sources


def write_ours(d: Path, g: nx.DiGraph, sources: dict[str, int], cutoff: float) -> None:
    with (d / "ours_reach.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["facility_id", "node", "cost"])
        for fid, v in sources.items():
            for node, cost in sorted(nx.single_source_dijkstra_path_length(g, v, cutoff).items()):
                w.writerow([fid, node, repr(float(cost))])
    dist, paths = nx.multi_source_dijkstra(g, set(sources.values()), cutoff=cutoff)
    by_node = {}
    for fid, v in sorted(sources.items()):
        by_node.setdefault(v, fid)
    with (d / "ours_nearest.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["node", "facility_id", "cost"])
        for node in sorted(dist):
            w.writerow([node, by_node[paths[node][0]], repr(float(dist[node]))])


def run(cmd: list[str]) -> tuple[int, dict | None]:
    r = subprocess.run(cmd, capture_output=True, text=True)
    sys.stderr.write(r.stderr)
    last = r.stdout.strip().splitlines()[-1:] or [""]
    return r.returncode, json.loads(last[0]) if last[0].startswith("{") else None


def edit(path: Path, fn) -> None:
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    rows = fn(rows)
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cutoff", type=float, default=40.0)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    py = sys.executable
    failures = []
    with tempfile.TemporaryDirectory(prefix="netbench-selftest-") as tmp:
        d = Path(tmp)
        g, sources = write_graph(d, args.nodes, rng)
        write_ours(d, g, sources, args.cutoff)
        rc, peer = run([py, str(HERE / "pgrouting_peer.py"), str(d), "--cutoff", str(args.cutoff)])
        if rc != 0 or peer is None:
            print("selftest: pgrouting_peer.py failed", file=sys.stderr)
            return 1
        print(json.dumps(peer))
        rc, cmp = run([py, str(HERE / "compare.py"), str(d)])
        print(json.dumps(cmp))
        if rc != 0 or cmp is None or cmp["nearest_unique_checked"] == 0 or cmp["nearest_ties"] == 0:
            failures.append("networkx and pgRouting should agree, with ties and unique nodes")

        def expect_failure(name: str, fname: str, fn) -> None:
            keep = (d / fname).read_bytes()
            edit(d / fname, fn)
            rc, _ = run([py, str(HERE / "compare.py"), str(d)])
            (d / fname).write_bytes(keep)
            if rc != 1:
                failures.append(f"compare.py did not catch: {name}")

        def bump(rows):
            rows[5][2] = repr(float(rows[5][2]) * (1 + 1e-5))
            return rows

        expect_failure("a reach cost off by 1e-5 relative", "ours_reach.csv", bump)
        expect_failure("a missing reach pair", "ours_reach.csv", lambda rows: rows[:3] + rows[4:])
        # Swap the facility at a node whose nearest facility is unique (no tie in our reach).
        reach = list(csv.reader((d / "ours_reach.csv").open()))[1:]
        costs: dict[str, list[float]] = {}
        for _, node, cost in reach:
            costs.setdefault(node, []).append(float(cost))
        swap_node = next(v for v, c in costs.items()
                         if len(c) > 1 and sorted(c)[1] - min(c) > 1e-3)
        facilities = sorted(sources)

        def swap(rows):
            for r in rows[1:]:
                if r[0] == swap_node:
                    r[1] = next(f for f in facilities if f != r[1])
            return rows

        expect_failure("a swapped nearest facility", "ours_nearest.csv", swap)
    for f in failures:
        print(f"selftest: FAIL: {f}", file=sys.stderr)
    print("selftest:", "FAIL" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
