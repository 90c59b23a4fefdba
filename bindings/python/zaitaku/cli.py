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
import unicodedata
import warnings
from pathlib import Path

import pandas as pd

from .analysis import Analysis
from .errors import CancelledError, CoverageError, CoverageWarning, InternalError
from .inputs import read_demand, read_facilities, read_regions
from .units import metres, seconds

PROG = "zaitaku"
SUMMARY_KINDS = ("doctor_any", "nursing", "doctor_and_nursing")


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line (exit status 2)."""

    def error(self, message):
        _say("error", f"{message} (see '{self.prog} --help')")
        sys.exit(2)


def _say(level, text):
    """One line on stderr, whatever newlines the text holds."""
    sys.stderr.write(f"{PROG}: {level}: {' '.join(str(text).split())}\n")


# ---------------------------------------------------------------- arguments

def _distance(what):
    """An argparse type: a distance such as "16km" or "500m", in metres."""

    def parse(text):
        try:
            return metres(text, what)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = what  # argparse names the type in some messages
    return parse


def _kinds(text):
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    if not kinds:
        raise argparse.ArgumentTypeError("give at least one kind, comma-separated")
    return kinds


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
    _add_coverage(commands, common)
    _add_report(commands, common)
    from .cli_planning import add_planning_commands  # zaitaku check, zaitaku plan

    add_planning_commands(commands, common)
    return parser


def _version_text():
    from . import __version__, libcoverage_version

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
    p.add_argument("--radius", metavar="DIST", type=_distance("radius"), default=16000.0,
                   help="reach, e.g. 16km or 500m (default: 16km, the house-call rule)")
    p.add_argument("--weight", choices=["total", "age65", "age75"], default="total",
                   help="population counted: everyone, 65+ or 75+ (default: total)")
    p.add_argument("--no-map", action="store_true", help="do not draw map.png")
    p.set_defaults(run=_run_demo)


def _add_coverage(commands, common):
    p = commands.add_parser(
        "coverage", parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter,
        help="reach and coverage of your own regions, facilities and demand",
        description="""\
Computes, per region and facility kind, the demand and the land within reach
(geodesic straight line), and writes DIR/coverage.csv, DIR/reach.csv,
DIR/gaps.shp and DIR/service_areas.shp (JGD2011 lon/lat, UTF-8, .prj, .cpg).
Besides the facilities' own kinds, coverage has doctor_any (any doctor kind)
and doctor_and_nursing (a doctor AND a visiting-nurse station within reach).""",
        epilog="""\
example, in the folder of the bundled sample (python -c "import zaitaku;
print(zaitaku.sample_dir())"):
  zaitaku coverage --regions municipalities.shp --region-id muni_code \\
      --region-name muni_name --regions-map areas.csv --map-from muni_code \\
      --map-to area_code --map-name area_name \\
      --facilities facilities.csv --kind-field kind --name-field name \\
      --demand population_mesh1km.csv --mesh-field mesh_code \\
      --weight-field total --weight-field age75 --radius 16km --out out""")

    g = p.add_argument_group("regions (polygons coverage is reported over)")
    g.add_argument("--regions", metavar="PATH", required=True,
                   help="polygon shapefile (DBF in UTF-8 or CP932), or GeoJSON/GeoPackage")
    g.add_argument("--region-id", metavar="FIELD", required=True,
                   help="field holding the region id (records sharing an id form one region)")
    g.add_argument("--region-name", metavar="FIELD", help="field holding the region name")
    g.add_argument("--regions-map", metavar="CSV",
                   help="merge regions through this table, e.g. municipality code -> area")
    g.add_argument("--map-from", metavar="COL", help="column of --regions-map with the region id")
    g.add_argument("--map-to", metavar="COL", help="column of --regions-map with the new id")
    g.add_argument("--map-name", metavar="COL", help="column of --regions-map with the new name")
    g.add_argument("--strict-map", action="store_true",
                   help="fail when a region has no row in --regions-map (default: drop it "
                        "with a warning)")
    g.add_argument("--regions-crs", metavar="CRS",
                   help="CRS of the regions' coordinates, overriding a .prj")

    g = p.add_argument_group("facilities (points that give care)")
    g.add_argument("--facilities", metavar="PATH", required=True,
                   help="CSV with coordinate columns, or a point shapefile")
    g.add_argument("--facility-id", metavar="FIELD", default="facility_id",
                   help="unique facility id (default: facility_id; in a shapefile, whose "
                        "field names stop at 10 characters, facility_i is found too)")
    g.add_argument("--kind-field", metavar="FIELD",
                   help="field holding the kind (zaishin, zaibyo, nursing, ...); without it "
                        "every facility gets --default-kind")
    g.add_argument("--default-kind", metavar="KIND",
                   help="kind of every facility when there is no --kind-field (default: facility)")
    g.add_argument("--name-field", metavar="FIELD", help="field holding the facility name")
    g.add_argument("--capacity-field", metavar="FIELD",
                   help="field holding the capacity (doctors, nurse FTE)")
    g.add_argument("--lon-field", metavar="FIELD", default="lon",
                   help="longitude (or x) column of a CSV (default: lon)")
    g.add_argument("--lat-field", metavar="FIELD", default="lat",
                   help="latitude (or y) column of a CSV (default: lat)")
    g.add_argument("--facilities-crs", metavar="CRS",
                   help="CRS of the facilities' coordinates, overriding a .prj")
    g.add_argument("--doctor-kinds", metavar="K1,K2", type=_kinds,
                   help="kinds counted as doctors in doctor_any (default: zaishin, zaibyo, "
                        "enhanced_single, enhanced_network, backup_hospital, hospital, clinic)")
    g.add_argument("--nursing-kinds", metavar="K1,K2", type=_kinds,
                   help="kinds counted as visiting nurses in doctor_and_nursing "
                        "(default: nursing)")

    g = p.add_argument_group("demand (where people live)")
    g.add_argument("--demand", metavar="PATH", required=True,
                   help="CSV of JIS X 0410 mesh codes with weights, or of points")
    g.add_argument("--mesh-field", metavar="FIELD",
                   help="column of mesh codes (80 km to 250 m cells)")
    g.add_argument("--demand-id", metavar="FIELD", help="id column of point demand")
    g.add_argument("--demand-lon", metavar="FIELD", help="longitude (or x) column of point demand")
    g.add_argument("--demand-lat", metavar="FIELD", help="latitude (or y) column of point demand")
    g.add_argument("--weight-field", metavar="FIELD", action="append", default=[],
                   help="weight column (repeatable: total, 65+, 75+ ...); none means every "
                        "unit weighs 1")
    g.add_argument("--weight", metavar="FIELD",
                   help="which --weight-field coverage counts (default: the first)")
    g.add_argument("--no-header", action="store_true",
                   help="the demand CSV has no header row: name columns by number, from 1")
    g.add_argument("--demand-crs", metavar="CRS", help="CRS of point demand coordinates")

    g = p.add_argument_group("analysis and output")
    g.add_argument("--radius", metavar="DIST", type=_distance("radius"), default=16000.0,
                   help="reach, e.g. 16km or 500m (default: 16km, the house-call rule)")
    g.add_argument("--coastal-snap", metavar="DIST", type=_distance("coastal snap"),
                   default=1000.0,
                   help="demand points in the sea join the nearest region within this "
                        "distance (default: 1km)")
    g.add_argument("--crs", metavar="CRS",
                   help="CRS of coordinates whose file does not say (CSV columns, "
                        "shapefiles without .prj), e.g. EPSG:6677; default JGD2011 lon/lat")
    g.add_argument("--area-crs", metavar="CRS",
                   help="projected CRS for areas and polygons (default: an equal-area "
                        "projection centred on the regions)")
    g.add_argument("--out", metavar="DIR", type=Path, required=True,
                   help="folder for the outputs (made when missing)")
    _add_roads(p)
    p.set_defaults(run=_run_coverage)


def _add_roads(p):
    """Options of reach along roads (issue 4)."""
    g = p.add_argument_group("roads (reach along a road network instead of the straight line)")
    g.add_argument("--roads", metavar="PATH",
                   help="line shapefile of roads (the .dbf may be missing); with it, "
                        "reach is measured along roads")
    g.add_argument("--class-field", metavar="FIELD",
                   help="road class field (default: fclass when present, Geofabrik schema)")
    g.add_argument("--oneway-field", metavar="FIELD",
                   help="one-way field, F/T/B (default: oneway when present)")
    g.add_argument("--speed-field", metavar="FIELD",
                   help="speed field in km/h (default: maxspeed when present)")
    g.add_argument("--roads-crs", metavar="CRS", help="CRS of the roads, overriding a .prj")
    limit = g.add_mutually_exclusive_group()
    limit.add_argument("--max-time", metavar="TIME", type=_time("max time"),
                       help="reach within this driving time, e.g. 30min or 1h")
    limit.add_argument("--max-distance", metavar="DIST", type=_distance("max distance"),
                       help="reach within this distance along roads, e.g. 16km")
    g.add_argument("--winter", action="store_true",
                   help="winter speeds: 10 km/h slower, at least half (see README)")
    g.add_argument("--snap-max", metavar="DIST", type=_distance("snap max"), default=1000.0,
                   help="demand and facilities farther from every road are unreachable "
                        "(default: 1km)")


def _time(what):
    """An argparse type: a time such as "30min" or "1h", in seconds."""

    def parse(text):
        try:
            return seconds(text, what)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = what
    return parse


# ---------------------------------------------------------------- commands

_WHO = {"total": "people", "age65": "people aged 65+", "age75": "people aged 75+"}


def _run_demo(args):
    _check_out(args.out)
    an = Analysis.sample(radius=args.radius)
    written = an.save(args.out, weight=args.weight)
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
        from .plot import save_map
    except ImportError as exc:
        return None, str(exc)
    save_map(an, path, kind="doctor_and_nursing")
    return path, None


def _run_coverage(args):
    _check_coverage_args(args)
    net = _read_roads(args) if args.roads else None  # bad road fields fail first
    regions = read_regions(args.regions, args.region_id, args.region_name,
                           crs=_crs_for(args.regions, args.regions_crs, args.crs))
    if args.regions_map:
        regions = regions.dissolve(args.regions_map, args.map_from, args.map_to, args.map_name,
                                   strict=args.strict_map)
    facilities = read_facilities(
        args.facilities, args.facility_id, kind_field=args.kind_field,
        name_field=args.name_field, capacity_field=args.capacity_field,
        lon_field=args.lon_field, lat_field=args.lat_field, default_kind=args.default_kind,
        crs=_crs_for(args.facilities, args.facilities_crs, args.crs))
    if args.mesh_field:
        demand = read_demand(args.demand, mesh_field=args.mesh_field,
                             weight_fields=args.weight_field, header=not args.no_header)
    else:
        demand = read_demand(args.demand, id_field=args.demand_id, lon_field=args.demand_lon,
                             lat_field=args.demand_lat, weight_fields=args.weight_field,
                             header=not args.no_header,
                             crs=_crs_for(args.demand, args.demand_crs, args.crs))
    an = Analysis(regions, facilities, demand, radius=args.radius,
                  coastal_snap=args.coastal_snap, crs=args.area_crs,
                  doctor_kinds=args.doctor_kinds, nursing_kinds=args.nursing_kinds)
    if net is not None:
        return _run_roads(args, an, net)
    written = an.save(args.out, weight=args.weight)
    for line in _aligned(_described(written, an.radius_m)):
        print(line)
    return 0


def _read_roads(args):
    from .network import read_network

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
    *written, unreachable = an.save(args.out, radius=limit, weight=args.weight,
                                    extra={"unreachable.csv": an.unreachable()})
    text = an.threshold_text(limit)
    files = [(path, _DESCRIBE[Path(path).name](path, limit).replace(
        _distance_text(limit), text)) for path in written]
    files.append((unreachable, "demand units farther than "
                               f"{_distance_text(args.snap_max)} from every road"))
    print(f"Roads: {net!r}")
    for line in _aligned(files):
        print(line)
    return 0


def _check_coverage_args(args):
    """Combinations argparse cannot express, and inputs that do not exist
    (checked before any reading, so the message names the option)."""
    for option, value in (("--regions", args.regions), ("--regions-map", args.regions_map),
                          ("--facilities", args.facilities), ("--demand", args.demand)):
        if value is not None and not Path(value).is_file():
            what = "is a folder, not a file" if Path(value).is_dir() else "does not exist"
            raise FileNotFoundError(f"{option} {value}: {what}")
    _check_out(args.out)
    if args.regions_map and not (args.map_from and args.map_to):
        raise ValueError("--regions-map needs --map-from and --map-to (its id columns)")
    if not args.regions_map and (args.map_from or args.map_to or args.map_name):
        raise ValueError("--map-from, --map-to and --map-name need --regions-map")
    points = (args.demand_id, args.demand_lon, args.demand_lat)
    if args.mesh_field and any(points):
        raise ValueError("give either --mesh-field (mesh cells) or --demand-id, --demand-lon "
                         "and --demand-lat (points), not both")
    if not args.mesh_field and not all(points):
        raise ValueError("say how to read --demand: --mesh-field (mesh codes), or "
                         "--demand-id, --demand-lon and --demand-lat (points)")
    if args.roads is not None and not Path(args.roads).is_file():
        what = "is a folder, not a file" if Path(args.roads).is_dir() else "does not exist"
        raise FileNotFoundError(f"--roads {args.roads}: {what}")
    if args.roads and args.max_time is None and args.max_distance is None:
        raise ValueError("--roads needs --max-time (e.g. 30min) or --max-distance (e.g. 16km)")
    road_only = [o for o, v in (("--max-time", args.max_time),
                                ("--max-distance", args.max_distance),
                                ("--winter", args.winter), ("--class-field", args.class_field),
                                ("--oneway-field", args.oneway_field),
                                ("--speed-field", args.speed_field)) if v]
    if road_only and not args.roads:
        raise ValueError(f"{', '.join(road_only)} need(s) --roads (a road network)")
    if args.weight is not None and args.weight not in args.weight_field:
        raise ValueError(f"--weight {args.weight} is not one of the --weight-field columns "
                         f"({', '.join(args.weight_field) or 'none given'})")


def _check_out(out):
    """Fails before any work when the output folder cannot be one."""
    for folder in [out, *out.parents]:
        if folder.exists():
            if not folder.is_dir():
                raise NotADirectoryError(f"--out {out}: {folder} is a file, not a folder")
            break


def _crs_for(path, own, fallback):
    """The CRS to pass for an input: its own option always; --crs only where
    the file does not say (CSV, or a shapefile without a .prj)."""
    if own is not None:
        return own
    if fallback is None:
        return None
    suffix = Path(path).suffix.lower()
    if suffix in (".csv", ".txt"):
        return fallback
    if suffix == ".shp" and not Path(path).with_suffix(".prj").exists():
        return fallback
    return None


# ---------------------------------------------------------------- output

def _read_coverage(path):
    return pd.read_csv(path, dtype={"region_id": str, "region_name": str, "kind": str},
                       keep_default_na=False, na_values={"share_covered": ["", "nan", "NaN"]})


def display_width(text):
    """Columns a terminal gives text: East Asian wide and full-width
    characters take two, combining marks none."""
    width = 0
    for ch in str(text):
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _pad(text, width, right=False):
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def percent(share):
    """A share as a percentage that never reads 100.0 or 0.0 unless it is:
    a planner must see that 99.97 % is not everyone."""
    if share is None or share != share:
        return "-"
    value = round(share * 100, 1)
    if value >= 100 and share < 1:
        return ">99.9"
    if value <= 0 and share > 0:
        return "<0.1"
    return f"{value:.1f}"


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


def _aligned(files):
    width = max(len(str(path)) for path, _ in files)
    return [f"{str(path):<{width}}  {text}" for path, text in files]


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
    reach = pd.read_csv(path, usecols=["demand_id", "kind"], dtype=str, keep_default_na=False)
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
             "gaps.shp": _describe_gaps, "service_areas.shp": _describe_service_areas}


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
    from .config import load_config

    os.environ.setdefault("MPLBACKEND", "Agg")  # files only; never a window
    cfg = load_config(args.config)
    if args.check:
        print(f"{args.config}: valid; inputs: "
              + ", ".join(str(p) for k, p in cfg["paths"].items() if k != "report.output_dir"))
        return 0
    out = args.out if args.out is not None else cfg["paths"]["report.output_dir"]
    _check_out(out)
    from .report import build_report_from_config

    result = build_report_from_config(cfg, out)
    print(f"Wrote {len(result.paths())} files to {out}:")
    for path in result.paths():
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
