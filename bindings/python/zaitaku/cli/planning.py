"""``zaitaku check`` (policy checks per area) and ``zaitaku plan``
(designation of lead institutions, sites for new nursing stations).

Both take the inputs of ``zaitaku coverage`` (the same options, copied from
its parser) plus the facilities' planning attributes, and follow its
conventions: outputs written through temporary files into --out, one line
per output printed, exit 2 with a one-line reason on bad input.
"""
import argparse
from pathlib import Path

from . import common as cli

from .. import planning
from ..outputs import OutputSet, write_csv

MARK = {1: "ok", 0: "FAIL", -1: "-"}


def _inputs_parent():
    """A parent parser holding every input option of ``zaitaku coverage``."""
    holder = argparse.ArgumentParser(add_help=False)
    cli._add_coverage(holder.add_subparsers(), argparse.ArgumentParser(add_help=False),
                      threshold=False)  # --threshold is the commands' own: the doctor's
    return holder._subparsers._group_actions[0].choices["coverage"]


def add_planning_commands(commands, common):
    inputs = _inputs_parent()
    for name, help_, run in (
            ("check", "policy checks per area: leads, hubs, 在支診, 16 km rule, nurses, "
                      "redundancy, backup", _run_check),
            ("plan", "choose lead institutions to designate, and sites for new nursing "
                     "stations", _run_plan)):
        p = commands.add_parser(name, parents=[common, inputs], conflict_handler="resolve",
                                help=help_, description=_DESCRIPTION[name],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
        g = p.add_argument_group("planning attributes of the facilities (columns)")
        for option, dest, what in (
                ("--roles-field", "roles_field", "designated roles: lead, hub or lead;hub"),
                ("--h24-field", "h24_field", "24-hour flag (1/0, yes/no, ○/×, 有/無)"),
                ("--network-field", "network_field", "network id of enhanced_network clinics"),
                ("--doctors-field", "doctors_field", "number of doctors"),
                ("--nurse-fte-field", "nurse_fte_field", "nurse FTE"),
                ("--beds-field", "beds_field", "beds"),
                ("--beds-psychiatric-field", "beds_psychiatric_field",
                 "psychiatric beds (精神病床) among the beds")):
            g.add_argument(option, dest=dest, metavar="FIELD", help=what)
        g = p.add_argument_group(f"{name} options")
        g.add_argument("--threshold", "--doctor-threshold", dest="threshold", metavar="DIST",
                       help="reach of a doctor (default: 16km straight line); "
                            "--doctor-threshold is the Python API's and the report's name")
        if name == "check":
            g.add_argument("--rule16", metavar="DIST", type=cli._distance("rule16"),
                           default=16000.0, help="house-call radius, straight line "
                                                 "(default: 16km)")
            g.add_argument("--nursing-threshold", metavar="DIST",
                           help="reach of a visiting nurse (default: 16km, or 30min by road)")
            g.add_argument("--min-share", metavar="SHARE", type=float, default=0.9,
                           help="share of demand the share checks need (default: 0.9)")
            g.add_argument("--no-clusters", action="store_true",
                           help="do not write gap_clusters.shp")
            g.add_argument("--home-care-counts", metavar="CSV",
                           help="number of 在支診/在支病 per region from statistics (e.g. "
                                "医療施設調査), for when their locations are unknown: the "
                                "home_care check uses these counts (UTF-8 or CP932; columns "
                                "--counts-code, --counts-value; '-' is none, as e-Stat "
                                "writes it); regions the table lacks keep the facilities' count")
            g.add_argument("--counts-code", metavar="COL", default="region_id",
                           help="region code column of --home-care-counts (default: region_id)")
            g.add_argument("--counts-value", metavar="COL", default="count",
                           help="count column of --home-care-counts (default: count)")
            g.add_argument("--home-care-source", metavar="TEXT", default="statistics",
                           help="source the home_care reasons cite for the counts "
                                "(default: statistics), e.g. '医療施設調査 2023'")
        else:
            g.add_argument("--budget", metavar="K", type=int, default=0,
                           help="new designations allowed (default: one per area that "
                                "needs one)")
            g.add_argument("--target-share", metavar="SHARE", type=float,
                           help="stop once this share of demand is covered")
            g.add_argument("--enhanced-weight", metavar="W", type=float, default=1.1,
                           help="value of demand reached by an enhanced clinic, relative to "
                                "1 (default: 1.1)")
            g.add_argument("--candidate-kinds", metavar="K1,K2", type=cli._kinds,
                           help="kinds that may be designated (default: zaishin, "
                                "enhanced_single, enhanced_network, zaibyo)")
            g.add_argument("--include-psychiatric-only", action="store_true",
                           help="let hospitals whose beds are all psychiatric be candidates "
                                "(default: left out, listed in excluded_candidates.csv)")
            g.add_argument("--sites", metavar="N", type=int, default=0,
                           help="also suggest N sites for new nursing stations in the gaps")
            g.add_argument("--exact", action="store_true",
                           help="solve the designation exactly (integer program, HiGHS), "
                                "warm-started from the heuristic, within --time-limit")
            g.add_argument("--time-limit", metavar="SECONDS", type=float, default=60.0,
                           help="seconds --exact and --robust may take; when they stop, "
                                "the best plan found and the bound are reported "
                                "(default: 60)")
            g.add_argument("--robust", metavar="FIELD,FIELD", type=cli._kinds,
                           help="also one plan for the demand of these --weight-field columns "
                                "at once (e.g. 2020 and a 2040 projection): the smallest share "
                                "of each one's own best is maximised; writes robust_plan.csv "
                                "and robust_scenarios.csv")
            g.add_argument("--no-bound", action="store_true",
                           help="skip the bound (the linear relaxation that says how far "
                                "the plan can be from the best possible)")
        p.set_defaults(run=run)


_DESCRIPTION = {
    "check": """\
Checks every region against the national guideline (令和5年 医政地発0331第14号)
and the house-call rules: a lead institution (積極的役割を担う医療機関) and a hub
(連携の拠点) designated, a 在支診/在支病 present, the share of demand within 16 km
(straight line, always) of one, the demand relying on the 16 km exception, the
share within reach of a visiting nurse, redundancy (2+ home-care doctors) and
backup for standard 在支診. Writes DIR/check.csv (one row per region and check,
with a plain reason), DIR/backup.csv and DIR/gap_clusters.shp (uncovered
nursing demand, ranked).""",
    "plan": """\
Chooses lead institutions to designate (already designated leads kept, at
least one per region that has a candidate, then up to --budget or
--target-share), maximising the demand within reach. Candidates are the
--candidate-kinds (default 在支診/在支病) inside an area, without hospitals
whose beds are all psychiatric (--beds-field and --beds-psychiatric-field;
--include-psychiatric-only keeps them). Writes DIR/plan.csv and DIR/plan.shp
(the picks in order with their marginal gain), DIR/plan_regions.csv and
DIR/excluded_candidates.csv (every facility left out, with its reason),
DIR/plan_bound.csv (the bound: no plan with this many new leads covers more
than it, from the linear relaxation, or the integer program with --exact;
the gap in people and per cent); with --sites N, DIR/sites.csv and
DIR/sites.shp.""",
}


#: planning.h's default reach of a doctor on the straight line, which the
#: C calls use when no threshold is given
DEFAULT_THRESHOLD = "16km"


def _read(args):
    """The analysis; the coverage options these commands do not use are
    refused rather than ignored (a --radius or --roads that changed nothing
    read as if it had)."""
    if args.roads or args.max_time is not None or args.max_distance is not None:
        raise ValueError(f"zaitaku {args.command} measures along the straight line only: "
                         "--roads, --max-time and --max-distance are for zaitaku coverage "
                         "(from Python, planning.check/designate take an.with_network(...))")
    if args.radius != 16000.0 and not _same_reach(args.threshold, args.radius):
        raise ValueError(f"zaitaku {args.command} does not use --radius: the reach of a "
                         "doctor is --threshold (or --doctor-threshold)"
                         + (", of a nurse --nursing-threshold" if args.command == "check" else ""))
    return cli.analysis_from_args(args, attributes=True)


def _same_reach(threshold, radius_m):
    """Whether --threshold says the --radius given beside it."""
    try:
        return threshold is not None and cli.metres(threshold, "threshold") == radius_m
    except ValueError:
        return False


def _share(value, what):
    if not 0.0 < value <= 1.0:
        raise ValueError(f"{what} {value:g} must be in (0, 1]")
    return value


def _writer(an, args):
    """A function writing a table as a CSV that can be read alone, into an
    OutputSet's staging folder: points as lon and lat, the headers asked
    for and, with ``label``, what its figures count (weight, threshold,
    scenario: Analysis.labelled)."""
    weight = an.demand.weight_name(args.weight)

    def write(frame, path, label=False, threshold=None):
        if label:  # check.csv (threshold False) has a threshold per check, in its reasons
            frame = an.labelled(frame, threshold or DEFAULT_THRESHOLD, args.weight,
                                threshold=threshold is not False)
        write_csv(frame, path, args.headers, weight)

    return write


def _home_care_counts(path, code, value):
    """Region code -> count from the CSV of --home-care-counts, or an error
    naming the file, line and column."""
    import csv

    if not Path(path).is_file():
        raise FileNotFoundError(f"--home-care-counts {path}: does not exist")
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp932")  # e-Stat's own downloads
        except UnicodeDecodeError as exc:
            raise ValueError(f"--home-care-counts {path}: neither UTF-8 nor CP932 (byte "
                             f"{exc.start})") from None
    rows = list(csv.reader(text.splitlines()))
    header = [h.strip() for h in rows[0]] if rows else []
    for option, column in (("--counts-code", code), ("--counts-value", value)):
        if column not in header:
            raise KeyError(f"--home-care-counts {path}: no column {column!r} ({option}; "
                           f"columns: {', '.join(header) or 'none'})")
    i, j = header.index(code), header.index(value)
    counts = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        rid, n = row[i].strip(), row[j].strip()
        if rid in counts:
            raise ValueError(f"--home-care-counts {path}: line {line}: region {rid} again")
        if n in ("-", "－"):
            n = "0"
        if not n.isdigit():
            raise ValueError(f"--home-care-counts {path}: line {line}, column {value}: "
                             f"{n!r} is not a count (a whole number, or '-' for none)")
        counts[rid] = int(n)
    return counts


def _run_check(args):
    _share(args.min_share, "--min-share")
    counts = None
    if args.home_care_counts is not None:  # read before the analysis: bad input fails fast
        counts = _home_care_counts(args.home_care_counts, args.counts_code, args.counts_value)
    an = _read(args)
    try:
        table = planning.check(an, weight=args.weight, rule16=args.rule16,
                               doctor_threshold=args.threshold,
                               nursing_threshold=args.nursing_threshold,
                               min_share_rule16=args.min_share,
                               min_share_nursing=args.min_share,
                               min_share_redundant=args.min_share, home_care_counts=counts,
                               home_care_source=args.home_care_source)
    except KeyError as exc:  # a region of the counts the analysis does not have
        if counts is None:
            raise
        why = str(exc.args[0]).removeprefix("home_care_counts: ")
        raise KeyError(f"--home-care-counts {args.home_care_counts}: {why}") from None
    backup = planning.backup(an, doctor_threshold=args.threshold)
    clusters = None if args.no_clusters else planning.clusters(
        an, threshold=args.nursing_threshold, weight=args.weight)
    # computed first; then one set: refused over an input, all or nothing
    write = _writer(an, args)
    with OutputSet(an.context, args.out) as out:
        write(table, out.path("check.csv"), label=True, threshold=False)
        write(backup, out.path("backup.csv"))
        if clusters is not None:
            _write_layer(clusters, out.path("gap_clusters.shp"))
        paths = out.commit()
    files = [(paths[0], "policy checks, one row per area and check"),
             (paths[1], f"{int((backup.has_backup == 0).sum())} of {len(backup)} standard "
                        "在支診 without backup")]
    if clusters is not None:
        files.append((paths[2], f"{len(clusters)} gap clusters of demand without a visiting "
                                "nurse"))
    checks = list(dict.fromkeys(table.check))
    names = table.drop_duplicates("region_id").set_index("region_id").region_name
    width = max(cli.display_width(n) for n in names) if len(names) else 0
    print(cli._pad("area", width) + "  " + "  ".join(cli._pad(c, max(len(c), 4)) for c in checks))
    for rid, rows in table.groupby("region_id", sort=False):
        marks = dict(zip(rows.check, rows.passed))
        print(cli._pad(names[rid], width) + "  " +
              "  ".join(cli._pad(MARK[int(marks[c])], max(len(c), 4)) for c in checks))
    print("Wrote:")
    for line in cli._aligned(files):
        print("  " + line)
    return 0


def _write_layer(frame, path):
    """A GeoDataFrame as a UTF-8 shapefile (into an OutputSet's staging
    folder)."""
    import warnings

    with warnings.catch_warnings():  # DBF names stop at 10 bytes, as the README says
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        frame.to_file(path, driver="ESRI Shapefile", encoding="utf-8")


def _print_excluded(excluded):
    """How many facilities are not candidates, and why: by kind for the
    kinds that are not candidates, one line per facility otherwise."""
    if not len(excluded):
        return
    print(f"Not candidates: {len(excluded)}")
    by_kind = excluded[excluded.status == "kind"].kind.value_counts()
    if len(by_kind):
        print("  not a candidate kind: " + ", ".join(f"{k} {n}" for k, n in by_kind.items()))
    for status, rows in excluded[excluded.status != "kind"].groupby("status", sort=False):
        print(f"  {status.replace('_', ' ')}: {len(rows)}")
        for row in rows.itertuples():
            print(f"    {row.facility_id}  {row.name}  {row.kind}  "
                  f"{row.region_id or '-'}  {row.reason}")


def _bound_line(b):
    """The bound in one sentence a council paper can quote."""
    how = {"LP relaxation": "linear relaxation",
           "integer program (HiGHS)": "integer program"}.get(b["method"], b["method"])
    status = "" if b["status"] == "optimal" else f", stopped: {b['status']}"
    return (f"Bound ({how}{status}): the plan covers {b['covered']:,.0f}; no plan with "
            f"{b['budget']} new leads covers more than {b['covered_bound']:,.0f} "
            f"(gap {b['gap_people']:,.0f}); objective {b['objective']:,.1f} of at most "
            f"{b['objective_bound']:,.1f} (gap {b['gap_share']:.2%}); found by {b['found_by']}")


def _run_plan(args):
    if args.target_share is not None:
        _share(args.target_share, "--target-share")
    if args.budget < 0 or args.sites < 0:
        raise ValueError("--budget and --sites must be >= 0")
    an = _read(args)
    picks, regions = planning.designate(an, budget=args.budget, target_share=args.target_share,
                                        threshold=args.threshold, weight=args.weight,
                                        candidate_kinds=args.candidate_kinds,
                                        enhanced_weight=args.enhanced_weight,
                                        include_psychiatric_only=args.include_psychiatric_only,
                                        bound=not args.no_bound or args.exact,
                                        exact=args.exact, time_limit=args.time_limit)
    excluded = picks.attrs["excluded"]
    bound = planning.bound_table(picks) if "bound" in picks.attrs else None
    robust = None
    if args.robust:
        robust = planning.robust({w: (an, w) for w in args.robust}, budget=args.budget,
                                 target_share=args.target_share, threshold=args.threshold,
                                 candidate_kinds=args.candidate_kinds,
                                 enhanced_weight=args.enhanced_weight,
                                 include_psychiatric_only=args.include_psychiatric_only,
                                 time_limit=args.time_limit)
    s = planning.sites(an, n=args.sites, weight=args.weight) if args.sites else None
    write = _writer(an, args)
    with OutputSet(an.context, args.out) as out:
        write(picks, out.path("plan.csv"), label=True, threshold=args.threshold)
        _write_layer(picks, out.path("plan.shp"))
        write(regions, out.path("plan_regions.csv"), label=True, threshold=args.threshold)
        write(excluded, out.path("excluded_candidates.csv"))
        if bound is not None:
            write(bound, out.path("plan_bound.csv"))
        if robust is not None:
            write(robust[0], out.path("robust_plan.csv"))
            write(robust[1], out.path("robust_scenarios.csv"))
        if s is not None:
            write(s, out.path("sites.csv"), label=True)
            _write_layer(s, out.path("sites.shp"))
        paths = out.commit()
    files = [(paths[0], f"{len(picks)} leads, in order"), (paths[1], "the same as points"),
             (paths[2], "per area, before and after"),
             (paths[3], f"{len(excluded)} facilities that are not candidates, with the reason")]
    if bound is not None:
        files.append((paths[len(files)], "the plan beside the best possible: bound and gap"))
    if robust is not None:
        files += [(paths[len(files)], f"{len(robust[0])} leads of the plan for "
                                      f"{' and '.join(args.robust)} at once"),
                  (paths[len(files) + 1], "per weight: the common plan beside its own")]
    if s is not None:
        files += [(paths[len(files)], f"{len(s)} sites for nursing stations"),
                  (paths[len(files) + 1], "the same as points")]
    print("rank  id  kind  area  reason  share of all demand covered (cumulative)")
    for row in picks.itertuples():
        print(f"{row.rank:>4}  {row.facility_id}  {row.kind}  {row.region_id}  {row.reason}  "
              f"{cli.percent(row.share_covered_cumulative)}")
    for row in regions[regions.status != "ok"].itertuples():
        print(f"{row.region_id} {row.region_name}: {row.status}")
    if bound is not None:
        print(_bound_line(picks.attrs["bound"]))
    if robust is not None:
        r = robust[0].attrs["robust"]
        print(f"Robust plan for {', '.join(args.robust)}: at least {r['value']:.2%} of each "
              f"one's own best (bound {r['bound']:.2%}, {r['status']})")
        for row in robust[1].itertuples():
            print(f"  {row.scenario}: covers {row.covered_robust:,.0f} "
                  f"(own plan {row.covered_own:,.0f}), {row.share_of_own_best:.2%} of its best")
    _print_excluded(excluded)
    print("Wrote:")
    for line in cli._aligned(files):
        print("  " + line)
    return 0
