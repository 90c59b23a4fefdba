"""The TOML file that describes one analysis and its report, so that next
year's rerun is one command (``zaitaku report CONFIG``).

:func:`load_config` reads and validates the file; every problem is a
:class:`~zaitaku.report.schema.ConfigError` naming the file, the key and
what was expected. :func:`zaitaku.report.build.build_analysis` reads the
inputs it names and returns the :class:`~zaitaku.Analysis`. The schema is
documented in ``docs/report.md`` and in :data:`zaitaku.report.schema.SCHEMA`
(one entry per key: type, default, meaning).

Paths are relative to the configuration file; ``${VAR}`` and
``${VAR:-default}`` are replaced from the environment, and a path starting
``sample:`` names a file of the bundled fictional sample.

The tables ``[roads]``, ``[winter]`` and ``[planning]`` and the travel
models ``road_distance`` and ``road_time`` need the network and planning
modules, listed in :data:`zaitaku.report.schema._FEATURES`; without them (a
trimmed build) they are refused with a clear "not available in this
version". ``[roads] path = "sample:roads"``
is a synthetic road grid over the bundled sample
(:func:`zaitaku.road_grid`), generated when the report is built.

Examples
--------
>>> from zaitaku.report import loads_config
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

from .schema import (_ARRAYS, _BBOX, _BOOL, _COUNT, _DATE, _DIST, _FACTORS, _NUM, _PATH,
                     _REQUIRED_TABLES, _RESERVED, _SHARE, _SPEEDS, _STR, _STRS, _THRESH, _TIME,
                     DEMAND_FORMATS, FACILITY_FORMATS, LOCATED_FORMATS, REPORT_FORMATS, REQUIRED, SAMPLE_ROADS, SCHEMA, TRAVEL_MODELS, ConfigError,
                     feature)


def _plural_key(name, i):
    return f"{name}[{i + 1}]" if i is not None else name


def _check_value(file, key, kind, value):
    """The value when it matches kind (one of the checker names), else a
    ConfigError."""
    from datetime import date

    from ..units import metres

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
        from ..units import threshold

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


def _check_facility_format(file, key, fac):
    """The keys an official format takes, and only those."""
    fmt = fac["format"]
    if fmt not in FACILITY_FORMATS:
        raise ConfigError(file, f"{key}.format", " or ".join(map(repr, FACILITY_FORMATS)),
                          got=repr(fmt))
    if fmt == "table":
        for k in ("towns", "locate_with", "prefecture"):
            if fac[k] is not None:
                raise ConfigError(file, f"{key}.{k}", f"no {k} with format = \"table\" (it "
                                  "belongs to the official formats)", got=repr(fac[k]))
        return
    if fmt in LOCATED_FORMATS and not fac["towns"]:
        raise ConfigError(file, f"{key}.towns", f"the Geolonia town points folder with "
                          f"format = \"{fmt}\" (its addresses are located offline)",
                          got="nothing")
    if fmt not in LOCATED_FORMATS and (fac["towns"] or fac["locate_with"]):
        raise ConfigError(file, f"{key}.towns", f"no towns or locate_with with format = "
                          f"\"{fmt}\" (the file has coordinates)", got="given")
    if fac["min_match_level"] not in ("town", "municipality"):
        raise ConfigError(file, f"{key}.min_match_level", "\"town\" or \"municipality\"",
                          got=repr(fac["min_match_level"]))
    if fmt == "kouseikyoku" and fac["kind"]:
        raise ConfigError(file, f"{key}.kind", "no kind with format = \"kouseikyoku\" (the "
                          "kinds come from the 届出 codes; use kinds to keep some)",
                          got=repr(fac["kind"]))
    # the official readers name their own columns
    defaults = {"id_field": "facility_id", "lon_field": "lon", "lat_field": "lat"}
    for k in ("id_field", "kind_field", "name_field", "capacity_field", "lon_field",
              "lat_field", "select_id_prefix"):
        if fac[k] is not None and fac[k] != defaults.get(k):
            raise ConfigError(file, f"{key}.{k}", f"no {k} with format = \"{fmt}\" (the "
                              "reader knows the file's columns)", got=repr(fac[k]))


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
    if rep["jobs"] > 64:
        raise ConfigError(file, "report.jobs", "a number of processes from 0 (as many as the "
                          "cores, at most 4) to 64", got=repr(rep["jobs"]))
    reg = cfg["regions"]
    if reg["map"] and not (reg["map_from"] and reg["map_to"]):
        raise ConfigError(file, "regions.map_from", "map_from and map_to with regions.map "
                          "(the id columns of the table)", got="missing")
    if not reg["map"] and (reg["map_from"] or reg["map_to"] or reg["map_name"]):
        raise ConfigError(file, "regions.map", "the path of the table that map_from, map_to "
                          "and map_name refer to", got="nothing")
    for i, fac in enumerate(cfg["facilities"]):
        _check_facility_format(file, f"facilities[{i + 1}]", fac)
        if fac["kind"] and fac["kind_field"]:
            raise ConfigError(file, f"facilities[{i + 1}].kind", "either kind or kind_field, "
                              "not both", got="both")
    dem = cfg["demand"]
    points = [dem["id_field"], dem["lon_field"], dem["lat_field"]]
    if dem["format"] not in DEMAND_FORMATS:
        raise ConfigError(file, "demand.format", " or ".join(map(repr, DEMAND_FORMATS)),
                          got=repr(dem["format"]))
    if dem["format"] == "estat_mesh":
        if dem["mesh_field"] or any(points) or not dem["header"]:
            raise ConfigError(file, "demand.format", "no mesh_field, id_field, lon_field, "
                              "lat_field or header with format = \"estat_mesh\" (the reader "
                              "knows e-Stat's columns)", got="some of them")
        dem["mesh_field"] = "mesh_code"
        dem["weight_fields"] = dem["weight_fields"] or ["total", "age65", "age75", "age85"]
        dem["weight"] = dem["weight"] or ("age75" if "age75" in dem["weight_fields"] else None)
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
    fc = cfg["forecast"]
    if fc is not None:
        if fc["format"] not in ("mhlw", "table"):
            raise ConfigError(file, "forecast.format", "'mhlw' or 'table'", got=repr(fc["format"]))
        if fc["format"] == "mhlw" and fc["measure"] not in ("home_visits", "outpatient",
                                                              "population"):
            raise ConfigError(file, "forecast.measure", "'home_visits', 'outpatient' or "
                              "'population'", got=repr(fc["measure"]))
        if fc["format"] == "table" and (fc["prefecture"] is not None):
            raise ConfigError(file, "forecast.prefecture", "no prefecture with format = "
                              "\"table\" (the table's codes are the regions')",
                              got=repr(fc["prefecture"]))
        for k in ("base_year", "year"):
            if fc[k] != int(fc[k]):
                raise ConfigError(file, f"forecast.{k}", "a year such as 2040", got=repr(fc[k]))
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
    from ..units import threshold

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
    if plan["robust"] and plan["designate"] and cfg.get("forecast") is None:
        raise ConfigError(file, "planning.robust", "a [forecast] section (the robust plan is "
                          "one plan for today's demand and the forecast's)", got="no [forecast]")
    if not plan["time_limit"] > 0:
        raise ConfigError(file, "planning.time_limit", "a number of seconds > 0",
                          got=repr(plan["time_limit"]))


# ---------------------------------------------------------------- paths

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def resolve_path(file, key, text, base):
    """A configured path made absolute: environment variables replaced,
    ``sample:NAME`` the bundled sample, others relative to base (the
    configuration file's folder)."""

    def var(m):
        given = os.environ.get(m.group(1))
        value = given or m.group(2)
        if value is None:
            raise ConfigError(file, key, f"environment variable {m.group(1)} to be set "
                              "(or a default: ${VAR:-default})", got=repr(text))
        # a variable's value is a path as the user typed it: relative to where they are,
        # not to the configuration file (its default, written in the file, is the file's)
        if given and m.start() == 0 and not Path(given).expanduser().is_absolute():
            value = str(Path.cwd() / given)
        return value

    expanded = _VAR.sub(var, text)
    if expanded.startswith("sample:"):
        from ..sample import sample_dir

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
        for k in ("towns", "locate_with"):
            if fac[k]:
                yield f"facilities[{i + 1}].{k}", fac[k]
    yield "demand.path", cfg["demand"]["path"]
    if cfg["forecast"] is not None:
        yield "forecast.path", cfg["forecast"]["path"]
    if cfg["roads"] is not None and cfg["roads"]["path"] != SAMPLE_ROADS:
        yield "roads.path", cfg["roads"]["path"]


def _folder_allowed(cfg, key):
    """Whether the input at key may be a folder: the Geolonia towns, a
    届出 list folder, e-Stat's folder of mesh zips."""
    if key.endswith(".towns"):
        return True
    if key == "forecast.path":
        return cfg["forecast"]["format"] == "mhlw"
    if key == "demand.path":
        return cfg["demand"]["format"] == "estat_mesh"
    if key.startswith("facilities[") and key.endswith("].path"):
        return cfg["facilities"][int(key[len("facilities["):-len("].path")]) - 1]["format"] \
            == "kouseikyoku"
    return False


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
        if _folder_allowed(cfg, key) and path.is_dir():
            pass
        elif not path.is_file():
            what = "is a folder" if path.is_dir() else "does not exist"
            raise ConfigError(file, key, "an existing file" + (
                " or folder" if _folder_allowed(cfg, key) else ""), got=f"{path} ({what})")
        cfg["paths"][key] = path
    if cfg["roads"] is not None and cfg["roads"]["path"] == SAMPLE_ROADS:
        cfg["paths"]["roads.path"] = SAMPLE_ROADS
    out = cfg["report"]["output_dir"]
    cfg["paths"]["report.output_dir"] = resolve_path(file, "report.output_dir", out, base)
    return cfg


def check_inputs_outside(cfg, out_dir):
    """Refuses, before any work, a configuration whose input lies inside the
    folder the report writes (``out_dir``; symlinks and ``..`` resolved):
    the report would replace it. ConfigError naming the key and the path."""
    out = Path(out_dir).resolve()
    for key, path in cfg["paths"].items():
        if key == "report.output_dir" or path == SAMPLE_ROADS:
            continue
        real = Path(path).resolve()
        if real == out or out in real.parents:
            raise ConfigError(cfg["file"], key,
                              f"an input outside the report's output folder {out} (the report "
                              "writes there and would replace it; set report.output_dir or "
                              "--out elsewhere)", got=str(path))


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
