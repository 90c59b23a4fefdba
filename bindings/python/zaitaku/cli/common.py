"""What the commands of the command line share: the input options of
``zaitaku coverage`` (which ``zaitaku check`` and ``zaitaku plan`` copy),
their checks, the one way they build an :class:`~zaitaku.Analysis` from
them (:func:`analysis_from_args`, through :func:`zaitaku.analysis.build.build_analysis`),
and one-line messages and aligned text for the terminal."""
import argparse
import re
import sys
import unicodedata
from pathlib import Path

from ..analysis.build import build_analysis
from ..units import metres, percent, seconds  # noqa: F401  (percent: zaitaku.cli's too)


PROG = "zaitaku"


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line (exit status 2)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "-1km" is a (bad) value, not an option: without this, argparse
        # says "expected one argument" and never shows why the value is bad
        self._negative_number_matcher = re.compile(r"^-[0-9.]+[A-Za-z]*$")

    def error(self, message):
        _say("error", f"{message} (see '{self.prog} --help')")
        sys.exit(2)


def _say(level, text):
    """One line on stderr, whatever newlines the text holds."""
    sys.stderr.write(f"{PROG}: {level}: {' '.join(str(text).split())}\n")


def _argument_type(convert, what):
    """An argparse type converting text with ``convert(text, what)``; its
    ValueError becomes argparse's usage error."""

    def parse(text):
        try:
            return convert(text, what)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = what  # argparse names the type in some messages
    return parse


def _distance(what):
    """An argparse type: a distance such as "16km" or "500m", in metres."""
    return _argument_type(metres, what)


def _kinds(text):
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    if not kinds:
        raise argparse.ArgumentTypeError("give at least one kind, comma-separated")
    return kinds


def _add_coverage(commands, common, run=None, threshold=True):
    """The ``coverage`` command's parser (run: what it runs; threshold:
    with the --threshold alias, which ``zaitaku check`` and ``zaitaku
    plan``, copying these options, have as their own doctor threshold)."""
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
                   help="CSV with coordinate columns, a JSON list of records with "
                        "coordinate fields (--lon-field, --lat-field), a point shapefile "
                        "or a GeoJSON/GeoPackage")
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
                   help="longitude (or x) column of a CSV or field of JSON records "
                        "(default: lon)")
    g.add_argument("--lat-field", metavar="FIELD", default="lat",
                   help="latitude (or y) column of a CSV or field of JSON records "
                        "(default: lat)")
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
    add_table_options(g)
    _add_roads(p, threshold)
    p.set_defaults(run=run)


def add_headers_option(group):
    """--headers: the CSVs' column ids, or Japanese headings."""
    group.add_argument("--headers", choices=["en", "ja"], default="en",
                       help="CSV headers: en, the column ids (default), or ja, Japanese "
                            "headings for council tables (圏域コード, 圏域名, 75歳以上人口, ...; "
                            "UTF-8 with a BOM, which Excel opens as UTF-8)")


def add_table_options(group):
    """--headers and --scenario: how the CSVs a command writes are headed
    and labelled."""
    add_headers_option(group)
    group.add_argument("--scenario", metavar="LABEL",
                       help="a label for this run (2025, winter, plan A), written in a "
                            "scenario column of the tables; zaitaku compare names it so")


def _add_roads(p, threshold=True):
    """Options of reach along roads (issue 4), and --threshold, the name
    the Python API and ``zaitaku check`` give reach (issue 18)."""
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
    if threshold:
        limit.add_argument("--threshold", metavar="DIST|TIME", dest="reach_threshold",
                           type=_reach_threshold,
                           help="reach as the Python API and zaitaku check name it: a "
                                "distance is --radius (straight line) or, with --roads, "
                                "--max-distance; a time (with --roads) is --max-time")
    g.add_argument("--winter", action="store_true",
                   help="winter speeds: 10 km/h slower, at least half (see README)")
    g.add_argument("--snap-max", metavar="DIST", type=_distance("snap max"), default=1000.0,
                   help="demand and facilities farther from every road are unreachable "
                        "(default: 1km)")


def _time(what):
    """An argparse type: a time such as "30min" or "1h", in seconds."""
    return _argument_type(seconds, what)


def _reach_threshold(text):
    """An argparse type for --threshold: ``(metric, value, text)``, a
    distance in metres or a time in seconds, as its unit says."""
    for metric, convert in (("distance", metres), ("time", seconds)):
        try:
            return metric, convert(text, "threshold"), text
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"{text!r} is neither a distance (e.g. 16km) nor a time "
                                     "(e.g. 30min)")


def _resolve_threshold(args):
    """--threshold into the option it stands for: --radius, --max-distance
    or --max-time (once: the checks run again when the analysis is read)."""
    given = getattr(args, "reach_threshold", None)
    if given is None:
        return
    metric, value, text = given
    args.reach_threshold = None
    if not args.roads:
        if metric == "time":
            raise ValueError(f"--threshold {text} is a time: it needs --roads (a road "
                             "network); in a straight line give a distance")
        args.radius = value
    elif metric == "time":
        args.max_time = value
    else:
        args.max_distance = value


def _check_coverage_args(args):
    """Combinations argparse cannot express, and inputs that do not exist
    (checked before any reading, so the message names the option)."""
    _resolve_threshold(args)
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


def _aligned(files):
    width = max(len(str(path)) for path, _ in files)
    return [f"{str(path):<{width}}  {text}" for path, text in files]


def analysis_from_args(args, attributes=False):
    """The analysis the input options of ``zaitaku coverage`` describe
    (``attributes``: also the facilities' planning columns of ``zaitaku
    check`` and ``zaitaku plan``)."""
    _check_coverage_args(args)
    extra = {}
    if attributes:
        extra = {f: getattr(args, f) for f in ("roles_field", "h24_field", "network_field",
                                               "doctors_field", "nurse_fte_field", "beds_field",
                                               "beds_psychiatric_field")}
    if args.mesh_field:
        demand = dict(path=args.demand, mesh_field=args.mesh_field,
                      weight_fields=args.weight_field, header=not args.no_header)
    else:
        demand = dict(path=args.demand, id_field=args.demand_id, lon_field=args.demand_lon,
                      lat_field=args.demand_lat, weight_fields=args.weight_field,
                      header=not args.no_header,
                      crs=_crs_for(args.demand, args.demand_crs, args.crs))
    an = build_analysis(
        regions=dict(path=args.regions, id_field=args.region_id, name_field=args.region_name,
                     crs=_crs_for(args.regions, args.regions_crs, args.crs)),
        dissolve=dict(mapping=args.regions_map, from_field=args.map_from, to_field=args.map_to,
                      name_field=args.map_name, strict=args.strict_map)
        if args.regions_map else None,
        facilities=dict(path=args.facilities, id_field=args.facility_id,
                        kind_field=args.kind_field, name_field=args.name_field,
                        capacity_field=args.capacity_field, lon_field=args.lon_field,
                        lat_field=args.lat_field, default_kind=args.default_kind,
                        crs=_crs_for(args.facilities, args.facilities_crs, args.crs), **extra),
        demand=demand, radius=args.radius, coastal_snap=args.coastal_snap, crs=args.area_crs,
        doctor_kinds=args.doctor_kinds, nursing_kinds=args.nursing_kinds)
    scenario = getattr(args, "scenario", None)
    return an if scenario is None else an.with_scenario(scenario)
