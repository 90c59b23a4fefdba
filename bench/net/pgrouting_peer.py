"""The pgRouting peer of bench_net: pgr_drivingDistance on the same graph, sources and cutoff.

Reads what ``bench_net`` wrote into DIR (``edges.csv`` with ``id,source,target,cost,
reverse_cost`` in the pgRouting convention, ``sources.csv`` with ``facility_id,node``), starts a
throwaway PostgreSQL 15 cluster in a temporary folder, listening on loopback only, creates the
pgrouting extension, loads the edges with COPY and runs ``pgr_drivingDistance`` twice from all
sources with the cutoff:

- per-source reach sets (``equicost => false``), written to DIR/peer_reach.csv
  ``facility_id,node,cost``;
- multi-source nearest, written to DIR/peer_nearest.csv ``node,facility_id,cost``, as one
  search from a virtual node joined to every source by a zero-cost edge (the usual pgRouting
  idiom); each node's facility is found afterwards, untimed, by walking the returned tree;
- ``equicost => true`` as well, timed and written to DIR/peer_nearest_equicost.csv. It is the
  documented way to get "the closest start vertex", but pgRouting 3.4.2's implementation
  returns farther start vertices (with their larger costs) for some nodes, so compare.py
  only reports how often it agrees.

Each query is timed inside the server (``clock_timestamp()`` around a ``CREATE TABLE AS``), so
the figures exclude loading the CSV and shipping rows to the client, but include what
pgRouting does on every call: running the edges query and building its Boost graph. The edges
query alone is timed as well (``edges_query_s``), and so is the whole fixed cost of a call
(``setup_s``: the query from one source with cutoff 0, which reaches only that source: the
edges query, building the graph and one search's set-up; pgRouting's per-source query also
sets up a search over the whole graph for each further source, which stays in its search time). With ``--runs R`` each query runs R times and
the fastest counts. Prints one JSON line. The cluster is always stopped and its folder removed.

When PostgreSQL 15 or pgRouting is missing, installs ``postgresql-15`` and
``postgresql-15-pgrouting`` with apt (as root; otherwise says what to install). PostgreSQL
refuses to run as root, so as root the server runs as the ``postgres`` user.

Usage::

    python bench/net/pgrouting_peer.py DIR --cutoff C [--runs R]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PGR_CONTROL = Path("/usr/share/postgresql/15/extension/pgrouting.control")
EDGES_SQL = "SELECT id, source, target, cost, reverse_cost FROM edges"


class PeerError(RuntimeError):
    pass


def ensure_installed() -> None:
    if (PG_BIN / "initdb").exists() and PGR_CONTROL.exists():
        return
    if os.geteuid() != 0:
        raise PeerError("PostgreSQL 15 with pgRouting is missing: install the Debian packages "
                        "postgresql-15 and postgresql-15-pgrouting (as root)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql-15", "postgresql-15-pgrouting"],
                   check=True, env=env)
    if not ((PG_BIN / "initdb").exists() and PGR_CONTROL.exists()):
        raise PeerError("apt-get installed postgresql-15-pgrouting, but "
                        f"{PG_BIN / 'initdb'} or {PGR_CONTROL} is still missing")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_inputs(d: Path) -> None:
    """Fail early, naming file and line, rather than deep inside COPY."""
    want = {"edges.csv": ["id", "source", "target", "cost", "reverse_cost"],
            "sources.csv": ["facility_id", "node"]}
    for name, header in want.items():
        path = d / name
        if not path.is_file():
            raise PeerError(f"{path}: missing (run bench_net --out {d} first)")
        with path.open(newline="") as f:
            first = next(csv.reader(f), None)
        if first != header:
            raise PeerError(f"{path}: line 1: header is {first}, expected {','.join(header)}")


class Cluster:
    """A PostgreSQL 15 cluster in a temporary folder, on 127.0.0.1 and a free port."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pgr-peer-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        self.started = False

    def _server(self, *cmd: str) -> None:
        argv = list(cmd)
        if self.as_postgres:
            argv = ["runuser", "-u", "postgres", "--"] + argv
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        os.chmod(self.dir, 0o700)
        self._server(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                     "--auth=trust", "--encoding=UTF8", "--locale=C")
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                f"-c unix_socket_directories='{self.dir}' -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=512MB "
                "-c work_mem=256MB -c maintenance_work_mem=512MB -c jit=off")
        self._server(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"),
                     "-o", opts, "-w", "-t", "60", "start")
        self.started = True

    def psql(self, sql: str) -> str:
        """Runs SQL (psql meta-commands allowed) and returns unaligned, tuples-only output."""
        r = subprocess.run(
            [str(PG_BIN / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres"],
            input=sql, text=True, capture_output=True)
        if r.returncode != 0:
            raise PeerError(f"psql failed: {r.stderr.strip()}")
        return r.stdout

    def stop(self) -> None:
        try:
            if self.started:
                self._server(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                             "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def source_column(db: Cluster) -> str:
    """pgRouting 3.4 names the source column from_v; 3.6 renamed it start_vid."""
    names = db.psql("SELECT array_to_string(proargnames, ',') FROM pg_proc "
                    "WHERE proname = 'pgr_drivingdistance' AND 'equicost' = ANY(proargnames);")
    for col in ("start_vid", "from_v"):
        if col in names.split(","):
            return col
    raise PeerError(f"pgr_drivingDistance(multiple vertices) has unexpected columns: {names!r}")


def timed(db: Cluster, table: str, select: str, runs: int) -> tuple[float, int]:
    """Best server-side seconds of R runs of CREATE TABLE table AS select, and its row count."""
    best, rows = float("inf"), 0
    for _ in range(runs):
        out = db.psql(f"""
DROP TABLE IF EXISTS {table};
DO $$
DECLARE t0 timestamptz; n bigint;
BEGIN
  t0 := clock_timestamp();
  CREATE UNLOGGED TABLE {table} AS {select};
  GET DIAGNOSTICS n = ROW_COUNT;
  DELETE FROM timing;
  INSERT INTO timing VALUES (extract(epoch FROM clock_timestamp() - t0), n);
END $$;
SELECT seconds || ',' || n FROM timing;""")
        s, n = out.strip().split(",")
        best, rows = min(best, float(s)), int(n)
    return best, rows


def many_sources(src_col: str, cutoff: float, equicost: bool) -> str:
    return (f"SELECT {src_col} AS start_node, node, agg_cost FROM pgr_drivingDistance("
            f"'{EDGES_SQL}', (SELECT array_agg(DISTINCT node) FROM sources), {cutoff!r}::float8, "
            f"directed => true, equicost => {str(equicost).lower()})")


def one_source_at_zero(src_col: str) -> str:
    return (f"SELECT {src_col} AS start_node, node, agg_cost FROM pgr_drivingDistance("
            f"'{EDGES_SQL}', (SELECT array_agg(node) FROM (SELECT node FROM sources "
            "ORDER BY facility_id LIMIT 1) s), 0::float8, directed => true, equicost => false)")


def super_source(cutoff: float) -> str:
    """Multi-source nearest as one search from a virtual node joined to every source at cost 0."""
    return ("SELECT node, edge, agg_cost FROM pgr_drivingDistance("
            f"'{EDGES_SQL} UNION ALL SELECT id, source, target, cost, reverse_cost FROM virtual_edges', "
            f"(SELECT min(source) FROM virtual_edges), {cutoff!r}::float8, directed => true)")


def nearest_from_tree(d: Path, tree_csv: Path, virtual_node: int) -> int:
    """Names each node's facility by walking pgRouting's shortest-path tree back to a source.

    pgRouting 3.4 reports, per reached node, the tree edge it was reached by; the other end of
    that edge is its predecessor. A node reached by a virtual edge is a source itself. Where
    several facilities share a source node, the smallest id is named (ties are free anyway).
    """
    tree = pd.read_csv(tree_csv)
    tree = tree[tree["node"] != virtual_node]
    edges = pd.read_csv(d / "edges.csv", usecols=["id", "source", "target"]).set_index("id")
    sources = pd.read_csv(d / "sources.csv", dtype={"facility_id": str})
    fac_at = sources.groupby("node")["facility_id"].min().to_dict()
    node_set = set(fac_at)
    known = tree["edge"].isin(edges.index)
    ends = edges.reindex(tree["edge"].where(known, edges.index[0])).to_numpy()
    nodes = tree["node"].to_numpy()
    pred = np.where(ends[:, 0] == nodes, ends[:, 1], ends[:, 0])
    parent = dict(zip(nodes.tolist(), pred.tolist()))
    for v, k in zip(nodes.tolist(), known.tolist()):
        if not k:  # reached by a virtual edge
            if v not in node_set:
                raise PeerError(f"pgRouting tree reaches node {v} by a virtual edge, "
                                "but no source lies there")
            parent[v] = v
    root: dict[int, int] = {}
    for v in nodes.tolist():
        path = []
        while v not in root and parent[v] != v:
            path.append(v)
            v = parent[v]
        r = root.get(v, v)
        root[v] = r
        for u in path:
            root[u] = r
    out = pd.DataFrame({"node": nodes, "facility_id": [fac_at[root[v]] for v in nodes.tolist()],
                        "cost": tree["agg_cost"].to_numpy()}).sort_values("node")
    out.to_csv(d / "peer_nearest.csv", index=False, float_format="%.17g")
    return len(out)


def run(d: Path, cutoff: float, runs: int) -> dict:
    check_inputs(d)
    ensure_installed()
    db = Cluster()
    try:
        db.start()
        db.psql(f"""
CREATE EXTENSION pgrouting CASCADE;
CREATE TABLE edges (id bigint, source bigint, target bigint, cost float8, reverse_cost float8);
CREATE TABLE sources (facility_id text, node bigint);
CREATE TABLE timing (seconds float8, n bigint);
\\copy edges FROM '{d / "edges.csv"}' WITH (FORMAT csv, HEADER true)
\\copy sources FROM '{d / "sources.csv"}' WITH (FORMAT csv, HEADER true)
ANALYZE edges;""")
        versions = db.psql("SELECT pgr_version() || ',' || current_setting('server_version');")
        pgr_version, pg_version = versions.strip().split(",", 1)
        n_edges = int(db.psql("SELECT count(*) FROM edges;"))
        col = source_column(db)
        # The edges query on its own, as pgr_drivingDistance runs it on every call.
        edges_s = float(db.psql(f"""
DO $$ DECLARE t0 timestamptz; BEGIN t0 := clock_timestamp();
  PERFORM count(*), sum(cost) FROM ({EDGES_SQL}) e;
  DELETE FROM timing; INSERT INTO timing VALUES (extract(epoch FROM clock_timestamp() - t0), 0);
END $$; SELECT seconds FROM timing;"""))
        db.psql("""
CREATE TABLE virtual_edges AS
  SELECT (SELECT max(id) FROM edges) + row_number() OVER (ORDER BY node) AS id,
         (SELECT greatest(max(source), max(target)) + 1 FROM edges) AS source,
         node AS target, 0::float8 AS cost, -1::float8 AS reverse_cost
  FROM (SELECT DISTINCT node FROM sources) s;""")
        virtual_node = int(db.psql("SELECT min(source) FROM virtual_edges;"))
        per_s, per_rows = timed(db, "reach", many_sources(col, cutoff, False), runs)
        multi_s, multi_rows = timed(db, "tree", super_source(cutoff), runs)
        multi_rows -= 1  # the virtual node
        eq_s, eq_rows = timed(db, "equicost", many_sources(col, cutoff, True), runs)
        # The fixed cost of a call: one source with cutoff 0, i.e. running the edges query,
        # building the Boost graph and one search's set-up.
        setup_s, _ = timed(db, "setup", one_source_at_zero(col), runs)
        # A node may hold several facilities: pgRouting sees the node once, so the reach sets
        # expand it back to every facility on it (equicost: the smallest id, as ties are free).
        tree_csv = db.dir / "tree.csv"
        db.psql(f"""
\\copy (SELECT s.facility_id, r.node, r.agg_cost AS cost FROM reach r JOIN sources s ON s.node = r.start_node ORDER BY 1, 2) TO '{d / "peer_reach.csv"}' WITH (FORMAT csv, HEADER true)
\\copy (SELECT r.node, min(s.facility_id) AS facility_id, min(r.agg_cost) AS cost FROM equicost r JOIN sources s ON s.node = r.start_node GROUP BY r.node ORDER BY 1) TO '{d / "peer_nearest_equicost.csv"}' WITH (FORMAT csv, HEADER true)
\\copy (SELECT node, edge, agg_cost FROM tree) TO '{tree_csv}' WITH (FORMAT csv, HEADER true)
""")
        nearest_from_tree(d, tree_csv, virtual_node)
    finally:
        db.stop()
    return {"peer": "pgr_drivingDistance", "pgrouting": pgr_version, "postgres": pg_version,
            "n_edges": n_edges, "cutoff": cutoff, "runs": runs, "edges_query_s": edges_s,
            "per_source_s": per_s, "per_source_settled": per_rows,
            "per_source_settled_per_s": per_rows / per_s if per_s > 0 else None,
            "multi_s": multi_s, "multi_settled": multi_rows,
            "multi_settled_per_s": multi_rows / multi_s if multi_s > 0 else None,
            "equicost_s": eq_s, "equicost_rows": eq_rows, "setup_s": setup_s}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path, help="folder bench_net wrote (edges.csv, sources.csv)")
    ap.add_argument("--cutoff", type=float, required=True, help="cost cutoff (metres)")
    ap.add_argument("--runs", type=int, default=1, help="runs per query; the fastest counts")
    args = ap.parse_args(argv)
    if not args.cutoff > 0 or args.runs < 1:
        ap.error("--cutoff must be > 0 and --runs >= 1")
    # SIGTERM (e.g. from a timeout) must still stop the cluster: make it unwind like Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        result = run(args.dir.resolve(), args.cutoff, args.runs)
    except (PeerError, subprocess.CalledProcessError) as e:
        print(f"pgrouting_peer: error: {e}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
