"""The zaitaku command line: ``zaitaku demo`` and ``zaitaku coverage``.

Exit status: 0 on success; 2 on bad arguments or bad input, with one line
on stderr starting ``zaitaku: error:``; 130 when interrupted; 1 (with a
traceback) for anything else, which is a bug. Warnings (libcoverage's
CoverageWarning, and any other) print as ``zaitaku: warning: ...``, one
line each, each distinct text once.

Progress bars are turned off (ZAITAKU_PROGRESS=0) when stderr is not a
terminal, so logs and pipes get no carriage-return noise; an explicit
ZAITAKU_PROGRESS in the environment wins, and ``--no-progress`` forces
them off.

The plotting module (matplotlib) is imported only when a map is drawn.
"""
import argparse
import logging
import os
import sys
import warnings
from pathlib import Path

from ..analysis import Analysis
from ..errors import CancelledError, CoverageError, CoverageWarning, InternalError
from ..outputs import read_csv
from .common import (PROG, _Parser, _add_coverage, _aligned, _check_out, _check_coverage_args,
                     _crs_for, _distance, _pad, _say, add_table_options, analysis_from_args,
                     display_width, percent)
from .forecast import DESCRIBE as _FORECAST_DESCRIBE
from .forecast import add_forecast_options, check_forecast_args, forecast_outputs
from .planning import add_planning_commands

SUMMARY_KINDS = ("doctor_any", "nursing", "doctor_and_nursing")


# ---------------------------------------------------------------- arguments


def build_parser():
    """The argument parser of the ``zaitaku`` command (and its commands)."""
    parser = _Parser(
        prog=PROG,
        description="How far home-care doctors and visiting nurses reach across "
                    "home-medical-care areas (在宅医療圏), on libcoverage.",
        epilog="Run 'zaitaku COMMAND --help' for a command's options. "
               "Exit status: 0 done, 2 bad arguments or input, 1 a bug.")
    parser.add_argument("--version", action="version", version=_version_text())
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--no-progress", action="store_true",
                        help="never show progress bars (they are off anyway when "
                             "stderr is not a terminal)")
    common.add_argument("-v", "--verbose", action="store_true",
                        help="also print libcoverage's notices")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    commands.required = True
    _add_demo(commands, common)
    _add_coverage(commands, common, run=_run_coverage)
    add_forecast_options(commands.choices["coverage"])  # demand of another year (issue 13)
    _add_report(commands, common)
    add_planning_commands(commands, common)  # zaitaku check, zaitaku plan
    from .compare import add_compare_command; add_compare_command(commands, common)  # noqa: E702
    return parser


def _version_text():
    from .._ffi.core import libcoverage_version
    from .._version import __version__

    return f"{PROG} {__version__} (libcoverage {libcoverage_version})"


def _add_demo(commands, common):
    p = commands.add_parser(
        "demo", parents=[common],
        help="run the whole analysis on the bundled fictional sample",
        description="Runs the whole analysis on the bundled fictional sample (サンプル県: a city, "
                    "a wide rural area and an island; 41 facilities, 1 km mesh population), "
                    "prints the share of people within reach per home-care area, and writes "
                    "coverage.csv, reach.csv, gaps.shp, service_areas.shp and map.png.")
    p.add_argument("--out", metavar="DIR", type=Path, default=Path("zaitaku-demo"),
                   help="folder for the outputs (default: ./zaitaku-demo)")
    p.add_argument("--radius", "--threshold", metavar="DIST", type=_distance("radius"),
                   default=16000.0,
                   help="reach, e.g. 16km or 500m (default: 16km, the house-call rule); "
                        "--threshold is the same")
    p.add_argument("--weight", choices=["total", "age65", "age75"], default="total",
                   help="population counted: everyone, 65+ or 75+ (default: total)")
    p.add_argument("--no-map", action="store_true", help="do not draw map.png")
    add_table_options(p)
    p.set_defaults(run=_run_demo)


# ---------------------------------------------------------------- commands

_WHO = {"total": "people", "age65": "people aged 65+", "age75": "people aged 75+"}


def _run_demo(args):
    _check_out(args.out)
    an = Analysis.sample(radius=args.radius, scenario=args.scenario)
    written = an.save(args.out, weight=args.weight, headers=args.headers)
    coverage = _read_coverage(written[0])
    print(f"サンプル県 (fictional sample): {len(an.regions)} home-care areas, "
          f"{len(an.facilities)} facilities, {len(an.demand)} 1 km mesh cells")
    print(f"Share of {_WHO[args.weight]} within {_distance_text(an.radius_m)} (%):")
    for line in coverage_table(coverage):
        print("  " + line)
    files = _described(written, an.radius_m)
    status = 0
    if not args.no_map:
        map_path, problem = _draw_map(an, Path(args.out) / "map.png")
        if map_path is not None:
            files.append((map_path, "map: land within reach of a doctor and a nurse, gaps, "
                                    "facilities"))
        else:
            status = 1
    print("Wrote:")
    for line in _aligned(files):
        print("  " + line)
    if status:
        _say("error", f"cannot draw map.png ({problem}); the other outputs are written; "
                      f"use --no-map to skip the map")
    return status


def _draw_map(an, path):
    """(path, None) once drawn, or (None, reason) when the plotting part
    of zaitaku cannot be imported (a broken install, not bad input)."""
    os.environ.setdefault("MPLBACKEND", "Agg")  # files only; never a window
    try:
        from ..maps.plot import save_map
    except ImportError as exc:
        return None, str(exc)
    save_map(an, path, kind="doctor_and_nursing")
    return path, None


def _run_coverage(args):
    _check_coverage_args(args)
    check_forecast_args(args)
    net = _read_roads(args) if args.roads else None  # bad road fields fail first
    an = analysis_from_args(args)
    if net is not None:
        return _run_roads(args, an, net)
    written = an.save(args.out, weight=args.weight, extra=forecast_outputs(args, an),
                      headers=args.headers)
    for line in _aligned(_described(written, an.radius_m)):
        print(line)
    return 0


def _read_roads(args):
    from ..network import read_network

    return read_network(args.roads, class_field=args.class_field,
                        oneway_field=args.oneway_field, speed_field=args.speed_field,
                        crs=_crs_for(args.roads, args.roads_crs, args.crs))


def _run_roads(args, an, net):
    """The coverage command along roads: same outputs, measured on the
    road network; unreachable.csv lists demand off every road."""
    metric = "time" if args.max_time is not None else "distance"
    limit = args.max_time if args.max_time is not None else args.max_distance
    an = an.with_network(net, metric=metric, winter=args.winter, snap_max=args.snap_max)
    # one set with the other outputs: refused as a whole over an input,
    # written as a whole or not at all
    extra = {**forecast_outputs(args, an, limit), "unreachable.csv": an.unreachable()}
    *written, unreachable = an.save(args.out, radius=limit, weight=args.weight, extra=extra,
                                    headers=args.headers)
    text = an.threshold_text(limit)
    files = [(path, _DESCRIBE[Path(path).name](path, limit).replace(
        _distance_text(limit), text)) for path in written]
    files.append((unreachable, "demand units farther than "
                               f"{_distance_text(args.snap_max)} from every road"))
    print(f"Roads: {net!r}")
    for line in _aligned(files):
        print(line)
    return 0


# ---------------------------------------------------------------- output

def _read_coverage(path):
    return read_csv(path, dtype={"region_id": str, "region_name": str, "kind": str},
                    keep_default_na=False, na_values={"share_covered": ["", "nan", "NaN"]})


def coverage_table(coverage, kinds=SUMMARY_KINDS):
    """Lines of a text table: per region its id and name, and the share of
    demand within reach for each of ``kinds`` in percent; columns aligned
    for double-width Japanese characters."""
    header = ["area", "name"] + list(kinds)
    rows = []
    for (rid, name), group in coverage.groupby(["region_id", "region_name"], sort=False):
        shares = dict(zip(group["kind"], group["share_covered"]))
        rows.append([rid, name] + [percent(shares.get(k)) for k in kinds])
    widths = [max(display_width(r[j]) for r in [header] + rows) for j in range(len(header))]
    lines = []
    for r in [header] + rows:
        cells = [_pad(r[0], widths[0]), _pad(r[1], widths[1])]
        cells += [_pad(c, w, right=True) for c, w in zip(r[2:], widths[2:])]
        lines.append("  ".join(cells).rstrip())
    return lines


def _distance_text(metres):
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def _described(written, radius_m):
    """(path, what is in it) for each file Analysis.save wrote."""
    return [(path, _DESCRIBE[Path(path).name](path, radius_m)) for path in written]


def _plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


def _describe_coverage(path, radius_m):
    cov = _read_coverage(path)
    totals = cov.groupby("kind", sort=False)[["demand_total", "demand_covered"]].sum()
    kinds = [k for k in SUMMARY_KINDS if k in totals.index] or list(totals.index[:6])
    shares = [f"{k} {percent(totals.demand_covered[k] / totals.demand_total[k])}%"
              for k in kinds if totals.demand_total[k] > 0]
    text = (f"{_plural(len(cov), 'row')} ({_plural(cov.region_id.nunique(), 'region')} x "
            f"{_plural(cov.kind.nunique(), 'kind')})")
    if shares:
        text += f"; demand within {_distance_text(radius_m)}: " + ", ".join(shares)
    return text


def _describe_reach(path, radius_m):
    reach = read_csv(path, usecols=["demand_id", "kind"], dtype=str, keep_default_na=False)
    return (f"{_plural(len(reach), 'row')} ({_plural(reach.demand_id.nunique(), 'demand unit')}"
            f" x {_plural(reach.kind.nunique(), 'kind')}): nearest facility, distance, "
            f"count within {_distance_text(radius_m)}")


def _describe_gaps(path, radius_m):
    table = _read_dbf(path)
    text = f"{_plural(len(table), 'polygon')} (region x kind, land out of reach)"
    both = table[table.kind == "doctor_and_nursing"]
    if len(both):
        # DBF field names stop at 10 characters: demand_uncovered is demand_unc
        demand = next(c for c in table.columns if c.startswith("demand_unc"))
        text += (f"; no doctor and nurse within {_distance_text(radius_m)}: "
                 f"{both.area_km2.sum():,.1f} km², demand {_number(both[demand].sum())}")
    return text


def _describe_service_areas(path, radius_m):
    table = _read_dbf(path)
    text = f"{_plural(len(table), 'polygon')} (region x kind, land within reach)"
    both = table[table.kind == "doctor_and_nursing"]
    if len(both):
        text += (f"; a doctor and a nurse within {_distance_text(radius_m)}: "
                 f"{both.area_km2.sum():,.1f} km²")
    return text


def _read_dbf(path):
    import pyogrio

    return pyogrio.read_dataframe(path, read_geometry=False)


def _number(value):
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


_DESCRIBE = {"coverage.csv": _describe_coverage, "reach.csv": _describe_reach,
             "gaps.shp": _describe_gaps, "service_areas.shp": _describe_service_areas,
             **_FORECAST_DESCRIBE}


# ---------------------------------------------------------------- main

def _show_warning(seen):
    """A warnings.showwarning that prints each distinct warning once, on one
    line; warnings not from libcoverage (matplotlib's, say) name their
    category, since the file and line inside a library help no one here."""

    def show(message, category, filename, lineno, file=None, line=None):
        text = " ".join(str(message).split())
        if not issubclass(category, CoverageWarning):
            text += f" ({category.__name__})"
        if text not in seen:
            seen.add(text)
            _say("warning", text)

    return show


def _input_problem(exc):
    """The one-line reason when exc is a problem with the arguments or the
    input (exit 2); None when it is a bug (exit 1 with a traceback)."""
    try:
        from pyogrio.errors import DataLayerError, DataSourceError
        reader_errors = (DataSourceError, DataLayerError)
    except ImportError:
        reader_errors = ()
    if isinstance(exc, InternalError):
        return None
    if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str):
        return exc.args[0]  # str(KeyError) would quote it
    if isinstance(exc, OSError) and not isinstance(exc, CoverageError) and exc.filename:
        return f"{exc.filename}: {exc.strerror or exc}"
    if isinstance(exc, (CoverageError, OSError, KeyError, ValueError) + reader_errors):
        return str(exc) or type(exc).__name__
    return None


def main(argv=None):
    """Runs the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    saved_progress = os.environ.get("ZAITAKU_PROGRESS")
    if args.no_progress or (saved_progress is None and not _stderr_is_terminal()):
        os.environ["ZAITAKU_PROGRESS"] = "0"
    if args.verbose:
        logging.basicConfig(format=f"{PROG}: %(message)s", level=logging.INFO)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", CoverageWarning)
            warnings.showwarning = _show_warning(set())
            return _run(args)
    finally:
        if saved_progress is None:
            os.environ.pop("ZAITAKU_PROGRESS", None)
        else:
            os.environ["ZAITAKU_PROGRESS"] = saved_progress


def _run(args):
    try:
        return args.run(args) or 0
    except (KeyboardInterrupt, CancelledError):
        _say("error", "interrupted")
        return 130
    except MemoryError as exc:
        _say("error", f"out of memory: {exc}")
        return 1
    except Exception as exc:
        reason = _input_problem(exc)
        if reason is None:
            raise
        _say("error", reason)
        return 2


def _stderr_is_terminal():
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


# ---------------------------------------------------------------- report (issue 7)

def _add_report(commands, common):
    p = commands.add_parser(
        "report", parents=[common],
        help="the report a prefecture can publish, from a TOML configuration",
        description="Runs the analysis a TOML configuration file describes and writes its "
                    "report: report.html (self-contained, print-ready for A4), tables/*.csv, "
                    "tables.xlsx, maps/*.png (300 dpi) and maps/*.svg. See docs/report.md "
                    "for the keys; examples/sample_report.toml is the bundled sample's.")
    p.add_argument("config", metavar="CONFIG", type=Path, help="the .toml file")
    p.add_argument("--out", metavar="DIR", type=Path,
                   help="output folder (default: report.output_dir of the configuration, "
                        "relative to its file)")
    p.add_argument("--check", action="store_true",
                   help="only validate the configuration and its input files")
    p.set_defaults(run=_run_report)


def _run_report(args):
    from ..report import load_config

    os.environ.setdefault("MPLBACKEND", "Agg")  # files only; never a window
    cfg = load_config(args.config)
    from ..report.tables import require_writers

    try:
        require_writers(cfg["report"]["formats"])  # a missing openpyxl is said now, not after the work
    except ImportError as exc:
        _say("error", str(exc))
        return 2
    if args.check:
        print(f"{args.config}: valid; inputs: "
              + ", ".join(str(p) for k, p in cfg["paths"].items() if k != "report.output_dir"))
        return 0
    out = args.out if args.out is not None else cfg["paths"]["report.output_dir"]
    _check_out(out)
    from ..report import build_report_from_config

    result = build_report_from_config(cfg, out)
    print(f"Wrote {len(result.paths())} files to {out}:")
    for path in result.paths():
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
