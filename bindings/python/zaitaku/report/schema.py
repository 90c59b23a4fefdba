"""The schema of the report configuration (a TOML file, ``zaitaku report
CONFIG``): every table and key with its type, default and meaning
(:data:`SCHEMA`, documented in ``docs/report.md``), and :class:`ConfigError`.
Validation is :mod:`zaitaku.report.validation`; reading the inputs and
building the analysis :mod:`zaitaku.report.build`."""
from ..errors import CoverageError

#: Travel models: straight line (the 16 km rule), straight line times a
#: detour factor, and along roads (need ``[roads]``).
TRAVEL_MODELS = ("straight_line", "detour", "road_distance", "road_time")
REPORT_FORMATS = ("html", "csv", "xlsx", "png", "svg")
#: Facility source formats: a table with coordinates, or an official list as published.
FACILITY_FORMATS = ("table", "kouseikyoku", "med_inst_codes", "iryojoho", "kaigo")
#: Official facility formats located offline (they need ``towns``).
LOCATED_FORMATS = ("kouseikyoku", "med_inst_codes")
DEMAND_FORMATS = ("table", "estat_mesh")

# the reserved parts of the schema and the modules that provide them; a
# trimmed build would leave some out (see register_feature)
_FEATURES = {"roads": "zaitaku.network", "winter": "zaitaku.network",
             "road_distance": "zaitaku.network", "road_time": "zaitaku.network",
             "planning": "zaitaku.planning", "forecast": "zaitaku.analysis.forecast"}


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
        "html_dpi": (_NUM, 150, "resolution of the maps embedded in report.html"),
        "region_pages": (_BOOL, True, "one page per region"),
        "region_label": (_STR, "在宅医療圏", "what a region is called in headings"),
        "interactive": (_BOOL, False, "also write interactive.html beside report.html: a map "
                                      "that pans, zooms and toggles layers, needing no network"),
        "summary": (_BOOL, False, "also write summary.html: the overview and one page per "
                                  "region (map and shares), small enough to send by mail"),
        "jobs": (_COUNT, 0, "processes drawing the maps (0: the cores available, at most 4; "
                          "1: one by one)"),
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
        "path": (_PATH, REQUIRED, "CSV, JSON list of records, or point file; for the "
                                  "official formats the file (or folder) as published"),
        "format": (_STR, "table", "table (coordinate columns or points), kouseikyoku "
                                  "(地方厚生局 届出 list), med_inst_codes (保険医療機関 code list), "
                                  "iryojoho (医療情報ネット), kaigo (介護サービス情報公表)"),
        "towns": (_PATH, None, "Geolonia town points folder: locates the addresses of "
                               "kouseikyoku and med_inst_codes offline"),
        "locate_with": (_PATH, None, "医療情報ネット file whose published coordinates win where "
                                     "an institution matches (kouseikyoku, med_inst_codes)"),
        "prefecture": (_STR, None, "keep this prefecture (official formats), e.g. 北海道"),
        "min_match_level": (_STR, "town", "coarsest location kept: town (大字・町丁目) or "
                                          "municipality; coarser rows are listed and left out"),
        "kinds": (_STRS, None, "keep only these kinds (e.g. [\"hospital\"])"),
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
        "path": (_PATH, REQUIRED, "CSV of mesh codes with weights, or of points; for "
                                  "estat_mesh the files, zips or folder as e-Stat ships them"),
        "format": (_STR, "table", "table, or estat_mesh (e-Stat 地域メッシュ統計: total, age65, "
                                  "age75, age85; files outside the regions' extent not read)"),
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
        "enhanced_kinds": (_STRS, None, "kinds whose reach a table of its own shows (e.g. the "
                           "enhanced 在支診/在支病: enhanced_single, enhanced_network)"),
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
        "exact": (_BOOL, False, "solve the designation exactly (integer program, HiGHS) "
                                "within time_limit; the bound is always shown"),
        "time_limit": (_NUM, 60, "seconds the exact designation and the robust plan may take"),
        "robust": (_BOOL, False, "also one plan for today's demand and the [forecast]'s at "
                                 "once (planning.robust), beside each one's own best"),
        "candidates": (_STRS, None, "facility ids that may be designated (instead of kinds)"),
        "designated": (_STRS, None, "facility ids already designated (instead of roles_field)"),
        "cluster_kinds": (_STRS, None, "kinds whose gaps form clusters (default nursing)"),
        "cluster_link": (_DIST, "1km", "point demand this close joins one cluster"),
        "site_radius": (_DIST, None, "reach of a new site, straight line (default the "
                                     "nursing threshold)"),
        "max_rows": (_COUNT, 20, "rows of long tables shown in the HTML (all in CSV/Excel)"),
    },
    "forecast": {
        "path": (_PATH, REQUIRED, "forecast: MHLW 構想区域別の医療需要推計 (xlsx, its CSVs or their "
                                  "folder), or a CSV of factors per region (format table)"),
        "format": (_STR, "mhlw", "mhlw (the published forecast) or table (code, factor)"),
        "measure": (_STR, "home_visits", "what grows (mhlw): home_visits (在宅・訪問診療 "
                                         "receipts), outpatient, population"),
        "base_year": (_NUM, 2024, "year of the forecast's base (mhlw)"),
        "year": (_NUM, 2040, "year compared (mhlw)"),
        "prefecture": (_STR, None, "keep this prefecture's areas (mhlw)"),
        "code_field": (_STR, None, "region code column of a factor table (default: the "
                                   "first column)"),
        "factor_field": (_STR, "factor", "factor column of a factor table"),
        "name": (_STR, None, "name of the later scenario (default \"<year>年\")"),
        "base_name": (_STR, "現在", "name of the scenario of the demand as read"),
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
_RESERVED = {"roads": "roads", "winter": "winter", "planning": "planning",
             "forecast": "forecast"}
_REQUIRED_TABLES = ("report", "regions", "facilities", "demand")

#: Planning attributes a facility source may name (column -> attribute).
ATTRIBUTE_FIELDS = ("roles_field", "h24_field", "network_field", "doctors_field",
                    "nurse_fte_field", "beds_field")
