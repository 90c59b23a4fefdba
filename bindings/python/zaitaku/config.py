"""The TOML file that describes one analysis and its report, so that next
year's rerun is one command (``zaitaku report CONFIG``).

:func:`load_config` reads and validates the file; every problem is a
:class:`ConfigError` naming the file, the key and what was expected.
:func:`build_analysis` reads the inputs it names and returns the
:class:`~zaitaku.Analysis`. The schema is documented in ``docs/report.md``
and in :data:`SCHEMA` below (one entry per key: type, default, meaning).

Paths are relative to the configuration file; ``${VAR}`` and
``${VAR:-default}`` are replaced from the environment, and a path starting
``sample:`` names a file of the bundled fictional sample.

The tables ``[roads]``, ``[winter]`` and ``[planning]`` and the travel
models ``road_distance`` and ``road_time`` need the network and planning
modules, which register themselves with :func:`register_feature` when
zaitaku is imported; without them (a trimmed build) they are refused with a
clear "not available in this version". ``[roads] path = "sample:roads"``
is a synthetic road grid over the bundled sample
(:func:`zaitaku.road_grid`), generated when the report is built.

Examples
--------
>>> from zaitaku.config import loads_config
>>> cfg = loads_config('''
... [report]
... title = "サンプル県"
... [regions]
... path = "sample:municipalities.shp"
... id_field = "muni_code"
... [[facilities]]
... path = "sample:facilities.csv"
... kind_field = "kind"
... [demand]
... path = "sample:population_mesh1km.csv"
... mesh_field = "mesh_code"
... ''')
>>> cfg["analysis"]["radius"], cfg["travel"]["model"]
('16km', 'straight_line')
"""
import difflib
import os
import re
import tomllib
from pathlib import Path

from .errors import CoverageError

#: Travel models: straight line (the 16 km rule), straight line times a
#: detour factor, and along roads (need ``[roads]``).
TRAVEL_MODELS = ("straight_line", "detour", "road_distance", "road_time")
REPORT_FORMATS = ("html", "csv", "xlsx", "png", "svg")

# features a later module provides (network, planning); see register_feature
_FEATURES = {}


class ConfigError(CoverageError, ValueError):
    """A configuration file that cannot be used: ``.file``, ``.key`` (dotted,
    e.g. ``"facilities[1].kind_field"``) and ``.expected`` say where and what."""

    def __init__(self, file, key, expected, got=None):
        self.file, self.key, self.expected = str(file), key, expected
        where = f"{file}: " + (f"key '{key}'" if key else "")
        text = f"{where}: expected {expected}" if key else f"{file}: {expected}"
        if got is not None:
            text += f", got {got}"
        super().__init__(text)


def register_feature(name, provider):
    """Marks a reserved part of the schema as available: ``name`` is one of
    ``"roads"``, ``"winter"``, ``"planning"``, ``"road_distance"``,
    ``"road_time"``; ``provider`` is whatever the report builder needs to use
    it (the network or planning module hands its own object)."""
    _FEATURES[name] = provider


def feature(name):
    """The provider registered for ``name``, or None."""
    return _FEATURES.get(name)


# ---------------------------------------------------------------- schema
# key -> (checker name, default, meaning). A default of REQUIRED must be given.

REQUIRED = object()

_STR, _PATH, _BOOL, _DIST, _NUM, _STRS, _BBOX, _DATE = (
    "a string", "a path (string)", "true or false", "a distance such as \"16km\" or 500 (m)",
    "a number", "a list of strings", "[lon_min, lat_min, lon_max, lat_max]",
    "a string or a date")
_TIME = "a time such as \"30min\" or \"1h\""
_THRESH = "a distance such as \"16km\" or a time such as \"30min\""
_SPEEDS = "a table of road class = speed in km/h"
_FACTORS = "a table of road class = winter factor in (0, 1]"
_COUNT = "a whole number >= 0"
_SHARE = "a share between 0 and 1"

SCHEMA = {
    "report": {
        "title": (_STR, REQUIRED, "title of the report"),
        "subtitle": (_STR, None, "line under the title"),
        "organisation": (_STR, None, "who publishes it, e.g. ○○県保健福祉部"),
        "date": (_DATE, None, "date printed on the report (default: today)"),
        "output_dir": (_PATH, "zaitaku-report", "folder for report.html, tables/, maps/"),
        "formats": (_STRS, list(REPORT_FORMATS), "outputs: html, csv, xlsx, png, svg"),
        "map_dpi": (_NUM, 300, "resolution of the PNG map files (print: 300)"),
        "html_dpi": (_NUM, 200, "resolution of the maps embedded in report.html"),
        "region_pages": (_BOOL, True, "one page per region"),
        "region_label": (_STR, "在宅医療圏", "what a region is called in headings"),
    },
    "regions": {
        "path": (_PATH, REQUIRED, "polygon file (shapefile, GeoJSON, GeoPackage)"),
        "id_field": (_STR, REQUIRED, "field with the region (or municipality) id"),
        "name_field": (_STR, None, "field with its name"),
        "crs": (_STR, None, "CRS when the file does not say"),
        "map": (_PATH, None, "CSV merging regions into areas (municipality -> area)"),
        "map_from": (_STR, None, "column of map with the region id"),
        "map_to": (_STR, None, "column of map with the area id"),
        "map_name": (_STR, None, "column of map with the area name"),
        "strict_map": (_BOOL, False, "fail when a region has no row in map"),
    },
    "facilities": {  # an array of tables: [[facilities]], one per source file
        "path": (_PATH, REQUIRED, "CSV, JSON list of records, or point file"),
        "label": (_STR, None, "what the source is, for the methods section"),
        "id_field": (_STR, "facility_id", "unique id column"),
        "kind_field": (_STR, None, "column with the kind (zaishin, nursing, ...)"),
        "kind": (_STR, None, "one kind for every row (instead of kind_field)"),
        "name_field": (_STR, None, "column with the name"),
        "capacity_field": (_STR, None, "column with capacity (doctors, nurse FTE)"),
        "lon_field": (_STR, "lon", "longitude (or x) column"),
        "lat_field": (_STR, "lat", "latitude (or y) column"),
        "crs": (_STR, None, "CRS of the coordinates (default JGD2011 lon/lat)"),
        "select_id_prefix": (_STR, None, "keep only rows whose id starts with this"),
        "add_id_prefix": (_STR, None, "prefix added to ids (to keep sources apart)"),
        "bbox": (_BBOX, None, "drop (and report) points outside this lon/lat box"),
        "roles_field": (_STR, None, "designated roles: lead, hub or lead;hub (planning)"),
        "h24_field": (_STR, None, "24-hour flag: 1/0, yes/no, ○/×, 有/無 (planning)"),
        "network_field": (_STR, None, "network id of enhanced_network clinics (planning)"),
        "doctors_field": (_STR, None, "number of doctors (planning, 2SFCA)"),
        "nurse_fte_field": (_STR, None, "nurse FTE (planning, 2SFCA)"),
        "beds_field": (_STR, None, "beds (planning, 2SFCA)"),
    },
    "demand": {
        "path": (_PATH, REQUIRED, "CSV of mesh codes with weights, or of points"),
        "label": (_STR, None, "what the demand is, e.g. 令和2年国勢調査人口"),
        "mesh_field": (_STR, None, "column of JIS X 0410 mesh codes"),
        "id_field": (_STR, None, "id column of point demand"),
        "lon_field": (_STR, None, "longitude column of point demand"),
        "lat_field": (_STR, None, "latitude column of point demand"),
        "weight_fields": (_STRS, [], "weight columns (total, 65+, ...)"),
        "weight": (_STR, None, "which weight the report counts (default: the first)"),
        "header": (_BOOL, True, "false: no header row, columns named \"1\", \"2\", ..."),
        "crs": (_STR, None, "CRS of point demand"),
    },
    "analysis": {
        "radius": (_DIST, "16km", "reach (the 16 km house-call rule)"),
        "coastal_snap": (_DIST, "1km", "sea cells join the nearest region within this"),
        "area_crs": (_STR, None, "projected CRS for areas and maps (default: equal-area, centred)"),
        "doctor_kinds": (_STRS, None, "kinds counted as doctors (doctor_any)"),
        "nursing_kinds": (_STRS, None, "kinds counted as visiting nurses"),
        "kinds": (_STRS, ["doctor_any", "nursing", "doctor_and_nursing"],
                  "kinds in the summary tables"),
        "map_kind": (_STR, "doctor_and_nursing", "kind whose reach and gaps the maps show"),
    },
    "travel": {
        "model": (_STR, "straight_line", "straight_line, detour, road_distance, road_time"),
        "detour_factor": (_NUM, None, "road distance / straight line (model detour), e.g. 1.3"),
        "time_limit": (_TIME, None, "driving time limit of road_time, e.g. \"30min\" "
                                    "(road_distance uses analysis.radius along roads)"),
    },
    "roads": {
        "path": (_PATH, REQUIRED, "road lines (shapefile); \"sample:roads\" is a synthetic "
                                  "grid over the bundled sample"),
        "class_field": (_STR, None, "road class column (default: Geofabrik fclass; "
                                    "\"\" none)"),
        "speed_field": (_STR, None, "speed column in km/h (default: maxspeed; \"\" none)"),
        "oneway_field": (_STR, None, "one-way column, F/T/B or yes/no (default: oneway; "
                                     "\"\" none)"),
        "crs": (_STR, None, "CRS when the file has no .prj"),
        "node_tolerance": (_DIST, "1m", "a free line end this close to a vertex joins it"),
        "default_speed_kmh": (_NUM, 30, "speed of roads without class or speed (km/h)"),
        "speeds": (_SPEEDS, None, "class speeds replacing the built-in table (km/h; 0 closes)"),
        "snap_max": (_DIST, "1km", "snap cap: demand and facilities farther from every road "
                                   "are unreachable"),
        "access_speed_kmh": (_NUM, 15, "speed of the leg from a point to its road (km/h)"),
        "buffer": (_DIST, "100m", "lateral buffer of the isochrones (service areas) on maps"),
        "min_component_nodes": (_NUM, 0, "drop road fragments with fewer nodes (0 keeps all)"),
    },
    "winter": {
        "enabled": (_BOOL, True, "also compute coverage at winter speeds (road_time)"),
        "speed_factor": (_NUM, None, "winter speed / summer speed for every class "
                                     "(default: v - 10 km/h, at least v / 2; CERI)"),
        "factors": (_FACTORS, None, "per class winter factor, after speed_factor"),
    },
    "planning": {
        "check": (_BOOL, True, "policy checks per region (planning.check)"),
        "designate": (_BOOL, True, "choose lead institutions (planning.designate)"),
        "clusters": (_BOOL, True, "gap clusters of the nursing gaps (planning.clusters)"),
        "sites": (_COUNT, 0, "number of sites suggested for new nursing stations"),
        "rule16": (_DIST, "16km", "house-call radius, always a straight line"),
        "doctor_threshold": (_THRESH, None, "reach of a doctor (default 16 km; 30 min with "
                                            "road_time)"),
        "nursing_threshold": (_THRESH, None, "reach of a visiting nurse (default 16 km; "
                                             "30 min with road_time)"),
        "min_share_rule16": (_SHARE, 0.9, "share of people within 16 km a region must reach"),
        "min_share_nursing": (_SHARE, 0.9, "share within reach of a visiting nurse"),
        "min_redundancy": (_SHARE, 0.9, "share with 2 or more 在支診/在支病 within reach"),
        "home_care_kinds": (_STRS, None, "kinds that are 在支診/在支病 (default zaishin, "
                                         "enhanced_single, enhanced_network, zaibyo)"),
        "backup_kinds": (_STRS, None, "kinds that back up a standard 在支診 "
                                      "(default backup_hospital)"),
        "standard_kinds": (_STRS, None, "kinds that are standard 在支診 (default zaishin)"),
        "budget": (_COUNT, 0, "new designations allowed (0: one per region that needs one)"),
        "target_share": (_SHARE, None, "stop designating once this share is covered"),
        "candidate_kinds": (_STRS, None, "kinds that may be designated (default the "
                                         "在支診/在支病 kinds)"),
        "enhanced_kinds": (_STRS, None, "kinds counted as enhanced (機能強化型)"),
        "enhanced_weight": (_NUM, 1.1, "value of demand reached by an enhanced lead"),
        "candidates": (_STRS, None, "facility ids that may be designated (instead of kinds)"),
        "designated": (_STRS, None, "facility ids already designated (instead of roles_field)"),
        "cluster_kinds": (_STRS, None, "kinds whose gaps form clusters (default nursing)"),
        "cluster_link": (_DIST, "1km", "point demand this close joins one cluster"),
        "site_radius": (_DIST, None, "reach of a new site, straight line (default the "
                                     "nursing threshold)"),
        "max_rows": (_COUNT, 20, "rows of long tables shown in the HTML (all in CSV/Excel)"),
    },
    "scenario": {
        "name": (_STR, None, "name of the scenario, e.g. 2025年度"),
        "season": (_STR, "summer", "summer or winter"),
        "year": (_NUM, None, "year of the data"),
    },
    "credits": {  # an array of tables: [[credits]]
        "text": (_STR, REQUIRED, "the credit as the source asks to be named"),
        "what": (_STR, None, "which input it covers"),
        "licence": (_STR, None, "licence, e.g. CC BY 4.0"),
    },
}
_ARRAYS = {"facilities", "credits"}
#: ``[roads] path`` naming the synthetic grid over the bundled sample.
SAMPLE_ROADS = "sample:roads"
_RESERVED = {"roads": "roads", "winter": "winter", "planning": "planning"}
_REQUIRED_TABLES = ("report", "regions", "facilities", "demand")


def _plural_key(name, i):
    return f"{name}[{i + 1}]" if i is not None else name


def _check_value(file, key, kind, value):
    """The value when it matches kind (one of the checker names), else a
    ConfigError."""
    from datetime import date

    from .units import metres

    bad = lambda: ConfigError(file, key, kind, got=repr(value))  # noqa: E731
    if kind is None:
        return value
    if kind in (_STR, _PATH):
        if not isinstance(value, str) or (kind == _PATH and not value.strip()):
            raise bad()
        return value
    if kind == _DATE:
        if not isinstance(value, (str, date)):
            raise bad()
        return value
    if kind == _BOOL:
        if not isinstance(value, bool):
            raise bad()
        return value
    if kind == _NUM:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise bad()
        return value
    if kind == _STRS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad()
        return value
    if kind == _DIST:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise bad()
        try:
            if metres(value, key) <= 0:
                raise ValueError
        except ValueError:
            raise ConfigError(file, key, "a positive distance such as \"16km\", \"500m\" or "
                                         "metres as a number", got=repr(value)) from None
        return value
    if kind in (_TIME, _THRESH):
        from .units import threshold

        try:
            if not isinstance(value, str):
                raise ValueError
            metric, _ = threshold(value, key)
            if kind == _TIME and metric != "time":
                raise ValueError
        except ValueError:
            raise bad() from None
        return value
    if kind == _COUNT:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad()
        return value
    if kind == _SHARE:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                not 0 <= value <= 1:
            raise bad()
        return value
    if kind in (_SPEEDS, _FACTORS):
        if not isinstance(value, dict) or not value:
            raise bad()
        for cls, v in value.items():
            ok = isinstance(v, (int, float)) and not isinstance(v, bool)
            ok = ok and (0 <= v <= 200 if kind == _SPEEDS else 0 < v <= 1)
            if not ok:
                raise ConfigError(file, f"{key}.{cls}", "a speed between 0 and 200 km/h"
                                  if kind == _SPEEDS else "a winter factor in (0, 1]",
                                  got=repr(v))
        return value
    if kind == _BBOX:
        ok = (isinstance(value, list) and len(value) == 4 and
              all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value))
        if not ok or not (value[0] < value[2] and value[1] < value[3]):
            raise bad()
        return value
    raise AssertionError(kind)


def _unknown(file, prefix, key, known):
    near = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean '{near[0]}'?)" if near else ""
    return ConfigError(file, f"{prefix}{key}", f"one of {', '.join(sorted(known))}{hint}",
                       got="an unknown key")


def _check_table(file, name, table, index=None):
    spec = SCHEMA[name]
    where = _plural_key(name, index)
    if not isinstance(table, dict):
        raise ConfigError(file, where, "a table", got=type(table).__name__)
    out = {}
    for key, value in table.items():
        if key not in spec:
            raise _unknown(file, f"{where}.", key, list(spec))
        out[key] = _check_value(file, f"{where}.{key}", spec[key][0], value)
    for key, (_, default, _) in spec.items():
        if key not in out:
            if default is REQUIRED:
                raise ConfigError(file, f"{where}.{key}", f"{spec[key][2]} ({spec[key][0]})",
                                  got="nothing (it is required)")
            out[key] = list(default) if isinstance(default, list) else default
    return out


def _validate(file, data):
    for key in data:
        if key not in SCHEMA:
            raise _unknown(file, "", key, list(SCHEMA))
    for name in _REQUIRED_TABLES:
        if name not in data:
            raise ConfigError(file, name, f"a [{name}] table" if name not in _ARRAYS else
                              f"one or more [[{name}]] tables", got="none")
    cfg = {}
    for name in SCHEMA:
        raw = data.get(name)
        if name in _ARRAYS:
            if raw is None:
                raw = []
            if isinstance(raw, dict):
                raw = [raw]
            if not isinstance(raw, list):
                raise ConfigError(file, name, f"[[{name}]] tables", got=type(raw).__name__)
            cfg[name] = [_check_table(file, name, t, i) for i, t in enumerate(raw)]
        elif raw is None and name in _RESERVED:
            cfg[name] = None
        else:
            cfg[name] = _check_table(file, name, raw if raw is not None else {})
    if not cfg["facilities"]:
        raise ConfigError(file, "facilities", "one or more [[facilities]] tables", got="none")
    _check_combinations(file, cfg)
    return cfg


def _check_combinations(file, cfg):
    rep = cfg["report"]
    for fmt in rep["formats"]:
        if fmt not in REPORT_FORMATS:
            raise ConfigError(file, "report.formats", f"a list of {', '.join(REPORT_FORMATS)}",
                              got=repr(fmt))
    for key in ("map_dpi", "html_dpi"):
        if not 50 <= rep[key] <= 1200:
            raise ConfigError(file, f"report.{key}", "a resolution between 50 and 1200 dpi",
                              got=repr(rep[key]))
    reg = cfg["regions"]
    if reg["map"] and not (reg["map_from"] and reg["map_to"]):
        raise ConfigError(file, "regions.map_from", "map_from and map_to with regions.map "
                          "(the id columns of the table)", got="missing")
    if not reg["map"] and (reg["map_from"] or reg["map_to"] or reg["map_name"]):
        raise ConfigError(file, "regions.map", "the path of the table that map_from, map_to "
                          "and map_name refer to", got="nothing")
    for i, fac in enumerate(cfg["facilities"]):
        if fac["kind"] and fac["kind_field"]:
            raise ConfigError(file, f"facilities[{i + 1}].kind", "either kind or kind_field, "
                              "not both", got="both")
    dem = cfg["demand"]
    points = [dem["id_field"], dem["lon_field"], dem["lat_field"]]
    if dem["mesh_field"] and any(points):
        raise ConfigError(file, "demand.mesh_field", "either mesh_field (mesh cells) or "
                          "id_field, lon_field and lat_field (points), not both", got="both")
    if not dem["mesh_field"] and not all(points):
        raise ConfigError(file, "demand.mesh_field", "mesh_field, or id_field, lon_field and "
                          "lat_field for points", got="neither")
    if dem["weight"] is not None and dem["weight"] not in dem["weight_fields"]:
        raise ConfigError(file, "demand.weight", "one of demand.weight_fields "
                          f"({', '.join(dem['weight_fields']) or 'none given'})",
                          got=repr(dem["weight"]))
    travel = cfg["travel"]
    if travel["model"] not in TRAVEL_MODELS:
        raise ConfigError(file, "travel.model", " or ".join(map(repr, TRAVEL_MODELS)),
                          got=repr(travel["model"]))
    if travel["model"] == "detour":
        factor = travel["detour_factor"]
        if factor is None or not 1 <= factor <= 5:
            raise ConfigError(file, "travel.detour_factor", "a factor between 1 and 5 with "
                              "travel.model = \"detour\"", got=repr(factor))
    elif travel["detour_factor"] is not None:
        raise ConfigError(file, "travel.detour_factor", "no detour_factor unless "
                          "travel.model = \"detour\"", got=repr(travel["detour_factor"]))
    if cfg["scenario"]["season"] not in ("summer", "winter"):
        raise ConfigError(file, "scenario.season", "\"summer\" or \"winter\"",
                          got=repr(cfg["scenario"]["season"]))
    for name in _RESERVED:
        if cfg[name] is not None and feature(name) is None:
            what = {"roads": "road networks", "winter": "winter road speeds",
                    "planning": "policy checks and designation planning"}[name]
            raise ConfigError(file, name, f"no [{name}] table: {what} are not available in "
                              "this version of zaitaku", got=f"a [{name}] table")
    _check_roads(file, cfg)
    _check_planning(file, cfg)
    kinds = cfg["analysis"]["kinds"]
    if not kinds:
        raise ConfigError(file, "analysis.kinds", "at least one kind", got="[]")


def _check_roads(file, cfg):
    travel, roads = cfg["travel"], cfg["roads"]
    model = travel["model"]
    on_roads = model in ("road_distance", "road_time")
    if on_roads and feature(model) is None:
        raise ConfigError(file, "travel.model", "\"straight_line\" or \"detour\": road-network "
                          f"travel ({model}) is not available in this version", got=repr(model))
    if on_roads and roads is None:
        raise ConfigError(file, "roads", f"a [roads] table (the road lines) with travel.model "
                          f"= \"{model}\"", got="none")
    if model == "road_time" and travel["time_limit"] is None:
        raise ConfigError(file, "travel.time_limit", "a time such as \"30min\" with "
                          "travel.model = \"road_time\"", got="nothing")
    if model != "road_time" and travel["time_limit"] is not None:
        raise ConfigError(file, "travel.time_limit", "no time_limit unless travel.model = "
                          "\"road_time\" (road_distance measures analysis.radius along roads)",
                          got=repr(travel["time_limit"]))
    if cfg["winter"] is not None and roads is None:
        raise ConfigError(file, "winter", "a [roads] table with [winter]: winter slows driving, "
                          "not the straight line", got="[winter] without [roads]")
    if cfg["scenario"]["season"] == "winter" and model != "road_time":
        raise ConfigError(file, "scenario.season", "\"summer\" unless travel.model = "
                          "\"road_time\" (winter changes driving times only)",
                          got="\"winter\"")
    if roads is not None:
        for key in ("default_speed_kmh", "access_speed_kmh"):
            if not 0 < roads[key] <= 200:
                raise ConfigError(file, f"roads.{key}", "a speed between 0 and 200 km/h",
                                  got=repr(roads[key]))
        n = roads["min_component_nodes"]
        if n < 0 or n != int(n):
            raise ConfigError(file, "roads.min_component_nodes", "a whole number >= 0",
                              got=repr(n))
    win = cfg["winter"]
    if win is not None and win["speed_factor"] is not None and not 0 < win["speed_factor"] <= 1:
        raise ConfigError(file, "winter.speed_factor", "a winter factor in (0, 1]",
                          got=repr(win["speed_factor"]))


def _check_planning(file, cfg):
    from .units import threshold

    plan = cfg["planning"]
    if plan is None:
        return
    metrics = {}
    for key in ("doctor_threshold", "nursing_threshold"):
        if plan[key] is not None:
            metrics[key] = threshold(plan[key], key)[0]
            if metrics[key] == "time" and cfg["roads"] is None:
                raise ConfigError(file, f"planning.{key}", "a distance such as \"16km\" "
                                  "without [roads] (a time needs a road network)",
                                  got=repr(plan[key]))
    if len(set(metrics.values())) == 2:
        raise ConfigError(file, "planning.nursing_threshold", "the same kind of threshold as "
                          "planning.doctor_threshold (both distances or both times)",
                          got=repr(plan["nursing_threshold"]))
    if plan["enhanced_weight"] < 1:
        raise ConfigError(file, "planning.enhanced_weight", "a number >= 1",
                          got=repr(plan["enhanced_weight"]))
    if plan["candidates"] is not None and plan["candidate_kinds"] is not None:
        raise ConfigError(file, "planning.candidates", "either candidates (ids) or "
                          "candidate_kinds, not both", got="both")


# ---------------------------------------------------------------- paths

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def resolve_path(file, key, text, base):
    """A configured path made absolute: environment variables replaced,
    ``sample:NAME`` the bundled sample, others relative to base (the
    configuration file's folder)."""

    def var(m):
        value = os.environ.get(m.group(1)) or m.group(2)
        if value is None:
            raise ConfigError(file, key, f"environment variable {m.group(1)} to be set "
                              "(or a default: ${VAR:-default})", got=repr(text))
        return value

    expanded = _VAR.sub(var, text)
    if expanded.startswith("sample:"):
        from .sample import sample_dir

        return sample_dir() / expanded[len("sample:"):]
    path = Path(expanded).expanduser()
    return path if path.is_absolute() else (Path(base) / path)


def _input_paths(cfg):
    """(key, value) of every configured input path."""
    yield "regions.path", cfg["regions"]["path"]
    if cfg["regions"]["map"]:
        yield "regions.map", cfg["regions"]["map"]
    for i, fac in enumerate(cfg["facilities"]):
        yield f"facilities[{i + 1}].path", fac["path"]
    yield "demand.path", cfg["demand"]["path"]
    if cfg["roads"] is not None and cfg["roads"]["path"] != SAMPLE_ROADS:
        yield "roads.path", cfg["roads"]["path"]


# ---------------------------------------------------------------- public

def loads_config(text, file="<string>", base=None):
    """Validates a configuration given as TOML text; returns a dict of
    tables with every default filled in, input paths made absolute (and
    checked to exist) under ``"paths"``, and the file under ``"file"``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(file, None, f"valid TOML ({exc})") from None
    cfg = _validate(file, data)
    base = Path(base) if base is not None else Path.cwd()
    cfg["file"] = str(file)
    cfg["base"] = base
    cfg["paths"] = {}
    for key, value in _input_paths(cfg):
        path = resolve_path(file, key, value, base)
        if not path.is_file():
            what = "is a folder" if path.is_dir() else "does not exist"
            raise ConfigError(file, key, "an existing file", got=f"{path} ({what})")
        cfg["paths"][key] = path
    if cfg["roads"] is not None and cfg["roads"]["path"] == SAMPLE_ROADS:
        cfg["paths"]["roads.path"] = SAMPLE_ROADS
    out = cfg["report"]["output_dir"]
    cfg["paths"]["report.output_dir"] = resolve_path(file, "report.output_dir", out, base)
    return cfg


def load_config(path):
    """Reads and validates a configuration file (see :func:`loads_config`);
    relative paths in it are relative to its folder."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, None, "an existing configuration file (it does not exist)") \
            from None
    except IsADirectoryError:
        raise ConfigError(path, None, "a configuration file, not a folder") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(path, None, f"UTF-8 text ({exc.reason} at byte {exc.start})") \
            from None
    return loads_config(text, file=path, base=path.resolve().parent)


def effective_radius_m(cfg):
    """The straight-line radius the analysis uses: the configured radius,
    divided by the detour factor under the detour model (a road distance
    of radius is a straight line of radius / factor)."""
    from .units import metres

    radius = metres(cfg["analysis"]["radius"], "analysis.radius")
    if cfg["travel"]["model"] == "detour":
        radius /= cfg["travel"]["detour_factor"]
    return radius


def read_facility_sources(cfg):
    """All facility sources of cfg as one DataFrame (facility_id, name,
    kind, capacity, lon, lat in JGD2011) and a list of what was dropped
    (per source: key, number of rows, reason)."""
    import pandas as pd

    frames, dropped = [], []
    for i, fac in enumerate(cfg["facilities"]):
        key = f"facilities[{i + 1}]"
        frame, note = _read_source(cfg, key, fac)
        frames.append(frame)
        dropped += note
    table = pd.concat(frames, ignore_index=True)
    dup = table["facility_id"][table["facility_id"].duplicated()]
    if len(dup):
        raise ConfigError(cfg["file"], "facilities", "ids unique across all sources (use "
                          "add_id_prefix to keep sources apart)",
                          got=f"{dup.iloc[0]!r} more than once")
    return table, dropped


def _read_source(cfg, key, fac):
    """One facility source through zaitaku's one facility reader
    (:func:`~zaitaku.read_facilities`: libcoverage's for CSV and shapefiles,
    which detects UTF-8 or CP932 and names line and field of a bad value;
    geopandas for other vector files); a JSON list of records, which C does
    not read, as a DataFrame. Then filtered by id prefix and bbox."""
    import json

    import numpy as np
    import pandas as pd

    from .errors import CoverageError
    from .inputs import read_facilities
    from .planning import facility_attributes

    path = cfg["paths"][f"{key}.path"]
    file = cfg["file"]
    dropped = []
    source = path
    if path.suffix.lower() == ".json":
        try:
            with open(path, encoding="utf-8") as f:
                raw = pd.DataFrame(json.load(f))
        except (ValueError, TypeError) as exc:
            raise ConfigError(file, f"{key}.path", "a JSON list of records", got=f"{path} "
                              f"({exc})") from None
        source = raw.astype({c: str for c in raw.columns if raw[c].dtype == object})
        _check_columns(file, key, fac, source, path)
        # records without coordinates are dropped and reported (C would refuse them)
        lon = pd.to_numeric(source[fac["lon_field"]], errors="coerce").to_numpy(float)
        lat = pd.to_numeric(source[fac["lat_field"]], errors="coerce").to_numpy(float)
        ids = source[fac["id_field"]].astype(str)
        selected = (ids.str.startswith(fac["select_id_prefix"]).to_numpy()
                    if fac["select_id_prefix"] else np.ones(len(source), bool))
        bad = ~(np.isfinite(lon) & np.isfinite(lat))
        if (bad & selected).any():
            dropped.append((key, int((bad & selected).sum()), "座標なし / no coordinates",
                            list((fac["add_id_prefix"] or "") + ids[bad & selected][:5])))
        source = source[~bad].reset_index(drop=True)
    attrs = {field: fac[field] for field in ATTRIBUTE_FIELDS if fac[field]}
    try:
        facilities = read_facilities(
            source, fac["id_field"], kind_field=fac["kind_field"],
            default_kind=None if fac["kind_field"] else (fac["kind"] or "facility"),
            name_field=fac["name_field"], capacity_field=fac["capacity_field"],
            lon_field=fac["lon_field"], lat_field=fac["lat_field"], crs=fac["crs"], **attrs)
    except CoverageError as exc:
        field = _field_of(fac, exc)
        expected = (f"a column of {path.name}" if isinstance(exc, LookupError) else
                    f"a column of numbers ({fac[field]} in {path.name}; empty means unknown)"
                    if field in ATTRIBUTE_FIELDS[3:] or field == "capacity_field" else
                    f"a facility file libcoverage reads ({path.name})")
        raise ConfigError(file, f"{key}.{field}" if field else f"{key}.path", expected,
                          got=str(exc)) from None
    points = facilities.to_geodataframe()
    ids = points["facility_id"].astype(str)
    table = pd.DataFrame({
        "facility_id": (fac["add_id_prefix"] or "") + ids,
        "name": points["name"].astype(str) if fac["name_field"] else ids,
        "kind": points["kind"].astype(str),
        "capacity": points["capacity"].to_numpy(float) if fac["capacity_field"] else 1.0,
        "lon": points.geometry.x.to_numpy(float), "lat": points.geometry.y.to_numpy(float),
    })
    at = facility_attributes(facilities) if attrs else None
    for field in ATTRIBUTE_FIELDS:
        name = field[:-len("_field")]
        if field not in attrs:
            table[name] = None if field in ("roles_field", "h24_field", "network_field") \
                else float("nan")
        elif field == "roles_field":
            table[name] = [";".join(r for r, on in (("lead", lead), ("hub", hub)) if on) or None
                           for lead, hub in zip(at["lead"], at["hub"])]
        elif field == "h24_field":
            table[name] = [None if v < 0 else int(v) for v in at["h24"]]
        elif field == "network_field":
            table[name] = [v or None for v in at["network_id"]]
        else:
            table[name] = at[name].to_numpy(float)
    lon, lat = table["lon"].to_numpy(), table["lat"].to_numpy()
    keep = np.ones(len(table), bool)
    if fac["select_id_prefix"]:
        keep &= ids.str.startswith(fac["select_id_prefix"]).to_numpy()
    if fac["bbox"]:
        x0, y0, x1, y1 = fac["bbox"]
        out = keep & ~((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))
        if out.any():
            dropped.append((key, int(out.sum()), f"範囲外 / outside bbox {fac['bbox']}",
                            list(table.facility_id[out][:5])))
        keep &= ~out
    table = table[keep].reset_index(drop=True)
    table["source"] = fac["label"] or path.name
    return table, dropped


_SOURCE_FIELDS = ("id_field", "kind_field", "name_field", "capacity_field", "lon_field",
                  "lat_field")


def _check_columns(file, key, fac, frame, path):
    for field in _SOURCE_FIELDS + ATTRIBUTE_FIELDS:
        col = fac[field]
        if col is not None and col not in frame.columns:
            raise ConfigError(file, f"{key}.{field}", f"a column of {path.name} "
                              f"({', '.join(map(str, frame.columns[:12]))})", got=repr(col))


def _field_of(fac, exc):
    """The key of the facility source naming the column a reader's error
    is about (the message names it), or None."""
    text = str(exc)
    for field in _SOURCE_FIELDS + ATTRIBUTE_FIELDS:
        col = fac[field]
        if col and any(f in text for f in (f'"{col}"', f"'{col}'", f"field {col} ",
                                            f"field {col},", f"field {col})")):
            return field
    return None


#: Planning attributes a facility source may name (column -> attribute).
ATTRIBUTE_FIELDS = ("roles_field", "h24_field", "network_field", "doctors_field",
                    "nurse_fte_field", "beds_field")


def build_network(cfg, work_dir=None):
    """The road network ``[roads]`` describes, with its class speeds and
    winter factors set; ``sample:roads`` is a synthetic grid over the
    bundled sample, written as a shapefile into work_dir (default a
    temporary folder) and read from there. None without ``[roads]``."""
    import tempfile

    from .network import read_network, road_grid

    roads = cfg["roads"]
    if roads is None:
        return None
    path = cfg["paths"]["roads.path"]
    if path == SAMPLE_ROADS:
        import geopandas as gpd

        from .sample import sample_path

        folder = Path(work_dir or tempfile.mkdtemp(prefix="zaitaku-roads-"))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "sample_roads.shp"
        road_grid(gpd.read_file(sample_path("municipalities.shp"))).to_file(
            path, encoding="utf-8")
    try:
        net = read_network(path, class_field=roads["class_field"],
                           oneway_field=roads["oneway_field"], speed_field=roads["speed_field"],
                           crs=roads["crs"], node_tolerance=roads["node_tolerance"],
                           default_speed_kmh=roads["default_speed_kmh"],
                           min_component_nodes=int(roads["min_component_nodes"]))
    except CoverageError as exc:
        raise ConfigError(cfg["file"], "roads.path", "a road line shapefile whose fields "
                          "[roads] names", got=f"{Path(str(path)).name}: {exc}") from None
    table = net.classes()
    classes = set(table["class"][table.n_edges > 0].astype(str)) if net.n_edges else set()
    for cls, speed in (roads["speeds"] or {}).items():
        if cls not in classes:
            raise ConfigError(cfg["file"], f"roads.speeds.{cls}", "a road class of the "
                              f"network ({', '.join(sorted(classes)) or 'none'})",
                              got=repr(cls))
        net.set_speed(cls, speed)
    win = cfg["winter"] or {}
    if win.get("speed_factor") is not None:
        for cls in classes:
            net.set_winter_factor(cls, win["speed_factor"])
    for cls, factor in (win.get("factors") or {}).items():
        if cls not in classes:
            raise ConfigError(cfg["file"], f"winter.factors.{cls}", "a road class of the "
                              f"network ({', '.join(sorted(classes)) or 'none'})",
                              got=repr(cls))
        net.set_winter_factor(cls, factor)
    return net


def road_threshold(cfg):
    """The threshold along roads: travel.time_limit for road_time, else
    analysis.radius (metres along roads)."""
    t = cfg["travel"]
    return t["time_limit"] if t["model"] == "road_time" else cfg["analysis"]["radius"]


def build_analysis(cfg, work_dir=None):
    """Reads the inputs cfg names and returns ``(analysis, notes)``: the
    :class:`~zaitaku.Analysis` and a dict of what the methods section
    reports (facility rows dropped and why, counts per source)."""
    from .analysis import Analysis
    from .inputs import read_demand, read_facilities, read_regions

    p, reg, dem, ana = cfg["paths"], cfg["regions"], cfg["demand"], cfg["analysis"]
    regions = read_regions(p["regions.path"], reg["id_field"], reg["name_field"], crs=reg["crs"])
    n_units = len(regions)
    subunits = regions
    if reg["map"]:
        regions = regions.dissolve(p["regions.map"], reg["map_from"], reg["map_to"],
                                   reg["map_name"], strict=reg["strict_map"])
    table, dropped = read_facility_sources(cfg)
    attrs = {f: f[:-len("_field")] for f in ATTRIBUTE_FIELDS
             if any(fac[f] for fac in cfg["facilities"])}
    facilities = read_facilities(table, kind_field="kind", name_field="name",
                                 capacity_field="capacity", **attrs)
    if dem["mesh_field"]:
        demand = read_demand(p["demand.path"], mesh_field=dem["mesh_field"],
                             weight_fields=dem["weight_fields"], header=dem["header"])
    else:
        demand = read_demand(p["demand.path"], id_field=dem["id_field"],
                             lon_field=dem["lon_field"], lat_field=dem["lat_field"],
                             weight_fields=dem["weight_fields"], header=dem["header"],
                             crs=dem["crs"])
    analysis = Analysis(regions, facilities, demand, radius=effective_radius_m(cfg),
                        coastal_snap=ana["coastal_snap"], crs=ana["area_crs"],
                        doctor_kinds=ana["doctor_kinds"], nursing_kinds=ana["nursing_kinds"])
    network = build_network(cfg, work_dir)
    if network is not None and cfg["travel"]["model"] in ("road_distance", "road_time"):
        roads = cfg["roads"]
        analysis.use_network(network, metric="time" if cfg["travel"]["model"] == "road_time"
                             else "distance", winter=cfg["scenario"]["season"] == "winter",
                             threshold=road_threshold(cfg), snap_max=roads["snap_max"],
                             access_speed_kmh=roads["access_speed_kmh"], buffer=roads["buffer"])
    by_source = table.groupby("source", sort=False).size().to_dict()
    notes = {"dropped_facilities": dropped, "facilities_by_source": by_source,
             "region_units": n_units, "network": network, "subunits": subunits}
    return analysis, notes


def planning_settings(value, file="planning="):
    """Planning settings for :func:`zaitaku.report.build_report`: None or
    False (no planning), True (the defaults) or a dict of ``[planning]``
    keys; returns the table with defaults filled, checked as the
    configuration file's would be."""
    if value is None or value is False:
        return None
    if value is True:
        value = {}
    return _check_table(file, "planning", dict(value))
