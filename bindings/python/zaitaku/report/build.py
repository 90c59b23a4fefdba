"""The inputs a report configuration names, read through zaitaku's readers,
and the :class:`~zaitaku.Analysis` built from them by the one builder
(:func:`zaitaku.analysis.build.build_analysis`)."""
from pathlib import Path

from ..errors import CoverageError
from .schema import ATTRIBUTE_FIELDS, SAMPLE_ROADS, ConfigError


def effective_radius_m(cfg):
    """The straight-line radius the analysis uses: the configured radius,
    divided by the detour factor under the detour model (a road distance
    of radius is a straight line of radius / factor)."""
    from ..units import metres

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
        listed = set().union(*(set(f.facility_id) for f in frames)) if frames else set()
        frame, note = _read_source(cfg, key, fac, listed)
        frames.append(frame)
        dropped += note
    notes = []
    for i, frame in enumerate(frames):
        report = frame.attrs.get("report")
        for n in (report.notes if report is not None else ()):
            if n.startswith("located by") or "kept at its municipality" in n:
                notes.append(f"facilities[{i + 1}]: {n}")
    table = pd.concat(frames, ignore_index=True)
    table.attrs = {"notes": notes}
    dup = table["facility_id"][table["facility_id"].duplicated()]
    if len(dup):
        raise ConfigError(cfg["file"], "facilities", "ids unique across all sources (use "
                          "add_id_prefix to keep sources apart)",
                          got=f"{dup.iloc[0]!r} more than once")
    return table, dropped


#: The columns the official readers give, as facility fields.
_OFFICIAL_FIELDS = dict(id_field="facility_id", kind_field="kind", name_field="name",
                        lon_field="lon", lat_field="lat")


def _read_official(cfg, key, fac, listed):
    """An official list as published, read (and located) by
    :mod:`zaitaku.official`: the facility table, the facility fields that
    describe it, and what was dropped (per reason, with examples)."""
    import warnings

    from .. import official
    from ..errors import CoverageWarning

    p, fmt, pref = cfg["paths"], fac["format"], fac["prefecture"]
    path = p[f"{key}.path"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CoverageWarning)
            if fmt == "kouseikyoku":
                frame = official.read_home_care_doctors(
                    path, p[f"{key}.towns"], p.get(f"{key}.locate_with"), prefecture=pref,
                    min_level=fac["min_match_level"])
            elif fmt == "med_inst_codes":
                frame = official.read_clinics(
                    path, p[f"{key}.towns"], p.get(f"{key}.locate_with"), prefecture=pref,
                    min_level=fac["min_match_level"], exclude=listed)
            elif fmt == "iryojoho":
                frame = official.read_iryojoho_facilities(path, pref, kind=fac["kind"])
            else:
                frame = official.read_kaigo_facilities(path, pref, kind=fac["kind"] or "nursing")
    except (CoverageError, ValueError) as exc:
        raise ConfigError(cfg["file"], f"{key}.path", f"a {fmt} file as published",
                          got=f"{path.name}: {exc}") from None
    report = frame.attrs["report"]
    dropped = []
    rejected = report.rejected
    for reason, rows in (rejected.groupby("reason", sort=False) if len(rejected) else ()):
        dropped.append((key, len(rows), reason,
                        [f"{r.name}（{r.detail}）" if r.detail else str(r.name)
                         for r in rows.head(5).itertuples()]))
    if fac["kinds"]:
        frame = frame[frame.kind.isin(fac["kinds"])].reset_index(drop=True)
    fields = dict(_OFFICIAL_FIELDS)
    if "beds" in frame:
        fields["beds_field"] = "beds"
    return frame, fields, dropped, report


def _read_source(cfg, key, fac, listed=()):
    """One facility source through zaitaku's one facility reader
    (:func:`~zaitaku.read_facilities`: libcoverage's for CSV and shapefiles,
    which detects UTF-8 or CP932 and names line and field of a bad value;
    geopandas for other vector files); a JSON list of records, which C does
    not read, as a DataFrame; an official list through its reader. Then
    filtered by id prefix and bbox."""
    import json

    import numpy as np
    import pandas as pd

    from ..errors import CoverageError
    from ..inputs import read_facilities
    from ..planning import facility_attributes

    path = cfg["paths"][f"{key}.path"]
    file = cfg["file"]
    dropped = []
    source = path
    official_report = None
    if fac["format"] != "table":
        source, fields, dropped, official_report = _read_official(cfg, key, fac, listed)
        fac = {**fac, **fields}
    elif path.suffix.lower() == ".json":
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
    if official_report is not None:
        table.attrs["report"] = official_report
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




def read_estat_demand(cfg, regions):
    """The e-Stat mesh ``[demand]`` names (format ``estat_mesh``), only the
    files whose first-level mesh meets the regions' extent, and notes for
    the methods section. Age counts e-Stat moved into another cell for
    secrecy (合算) are NaN in their own cell: they count 0 there, since the
    receiving cell already holds them."""
    import warnings

    import numpy as np

    from .. import official
    from ..errors import CoverageWarning

    key, path = "demand.path", cfg["paths"]["demand.path"]
    west, south, east, north = regions.to_geodataframe().to_crs(6668).total_bounds
    pad = 0.05  # beyond the coastal snap
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CoverageWarning)
            frame = official.read_estat_mesh(path, bounds=(west - pad, south - pad,
                                                           east + pad, north + pad))
    except (CoverageError, ValueError) as exc:
        raise ConfigError(cfg["file"], key, "e-Stat 地域メッシュ統計 files as published (zips, "
                          "txt, or a folder of them)", got=f"{path.name}: {exc}") from None
    missing = [w for w in cfg["demand"]["weight_fields"] if w not in frame.columns]
    if missing:
        raise ConfigError(cfg["file"], "demand.weight_fields", "columns the e-Stat reader "
                          f"gives ({', '.join(c for c in frame.columns if c not in ('mesh_code', 'merged_into'))})",
                          got=repr(missing[0]))
    report = frame.attrs["report"]
    notes = list(report.notes)
    # cells of the files read that lie outside the regions' extent (other prefectures
    # sharing a first-level mesh) are left out here, and counted
    from ..mesh import decode_mesh

    boxes = [decode_mesh(c) for c in frame.mesh_code]
    x = np.array([(b[0] + b[2]) / 2 for b in boxes])
    y = np.array([(b[1] + b[3]) / 2 for b in boxes])
    inside = (x >= west - pad) & (x <= east + pad) & (y >= south - pad) & (y <= north + pad)
    if not inside.all():
        notes.append(f"{int((~inside).sum()):,} cells ({frame.total[~inside].sum():,.0f} people) "
                     "outside the regions' extent left out")
        frame = frame[inside].reset_index(drop=True)
    frame = frame.fillna({w: 0.0 for w in cfg["demand"]["weight_fields"]})
    return frame, notes


def build_network(cfg, work_dir=None):
    """The road network ``[roads]`` describes, with its class speeds and
    winter factors set; ``sample:roads`` is a synthetic grid over the
    bundled sample, written as a shapefile into work_dir (default a
    temporary folder) and read from there. None without ``[roads]``."""
    import tempfile

    from ..network import read_network, road_grid

    roads = cfg["roads"]
    if roads is None:
        return None
    path = cfg["paths"]["roads.path"]
    if path == SAMPLE_ROADS:
        import geopandas as gpd

        from ..sample import sample_path

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
    :class:`~zaitaku.Analysis` (from the one builder,
    :func:`zaitaku.analysis.build.build_analysis`) and a dict of what the
    methods section reports (facility rows dropped and why, counts per
    source)."""
    from ..analysis.build import build_analysis as build, build_inputs
    from ..inputs import read_facilities, read_regions

    p, reg, dem, ana = cfg["paths"], cfg["regions"], cfg["demand"], cfg["analysis"]
    table, dropped = read_facility_sources(cfg)
    attrs = {f: f[:-len("_field")] for f in ATTRIBUTE_FIELDS
             if any(fac[f] for fac in cfg["facilities"])}
    facilities = read_facilities(table, kind_field="kind", name_field="name",
                                 capacity_field="capacity", **attrs)
    regions_spec = dict(path=p["regions.path"], id_field=reg["id_field"],
                        name_field=reg["name_field"], crs=reg["crs"])
    demand_notes = []
    if dem["format"] == "estat_mesh":
        spec = dict(regions_spec)
        regions_spec = read_regions(spec.pop("path"), **spec)
        frame, demand_notes = read_estat_demand(cfg, regions_spec)
        demand = dict(path=frame, mesh_field="mesh_code", weight_fields=dem["weight_fields"])
    elif dem["mesh_field"]:
        demand = dict(path=p["demand.path"], mesh_field=dem["mesh_field"],
                      weight_fields=dem["weight_fields"], header=dem["header"])
    else:
        demand = dict(path=p["demand.path"], id_field=dem["id_field"],
                      lon_field=dem["lon_field"], lat_field=dem["lat_field"],
                      weight_fields=dem["weight_fields"], header=dem["header"], crs=dem["crs"])
    dissolve = dict(mapping=p["regions.map"], from_field=reg["map_from"], to_field=reg["map_to"],
                    name_field=reg["map_name"], strict=reg["strict_map"]) if reg["map"] else None
    subunits, regions, facilities, demand = build_inputs(regions_spec, facilities, demand,
                                                         dissolve)
    network = build_network(cfg, work_dir)
    options = None
    if network is not None and cfg["travel"]["model"] in ("road_distance", "road_time"):
        roads = cfg["roads"]
        options = dict(metric="time" if cfg["travel"]["model"] == "road_time" else "distance",
                       winter=cfg["scenario"]["season"] == "winter",
                       threshold=road_threshold(cfg), snap_max=roads["snap_max"],
                       access_speed_kmh=roads["access_speed_kmh"], buffer=roads["buffer"])
    analysis = build(regions=regions, facilities=facilities, demand=demand,
                     network=network if options else None, network_options=options,
                     radius=effective_radius_m(cfg), coastal_snap=ana["coastal_snap"],
                     crs=ana["area_crs"], doctor_kinds=ana["doctor_kinds"],
                     nursing_kinds=ana["nursing_kinds"])
    by_source = table.groupby("source", sort=False).size().to_dict()
    notes = {"dropped_facilities": dropped, "facilities_by_source": by_source,
             "demand_notes": demand_notes,
             "facility_notes": [n for n in (table.attrs.get("notes") or [])],
             "region_units": len(subunits), "network": network, "subunits": subunits}
    return analysis, notes


#: The interactive map written beside report.html with ``[report] interactive = true``.
INTERACTIVE_NAME = "interactive.html"


def interactive_section(ctx):
    """The section linking the interactive map (``[report] interactive``,
    or ``ctx.store["interactive"]`` from Python), or None when not asked.
    The page (:func:`zaitaku.maps.interactive.explore` of the report's map
    kind, weight and map data) is left in ``ctx.store["files"]`` for the
    report to write beside report.html."""
    from ..maps.interactive import explore
    from .context import Section
    from .tables import weight_text

    cfg = ctx.config
    wanted = cfg["report"].get("interactive") if cfg is not None else ctx.store.get("interactive")
    if not wanted:
        return None
    credit = "; ".join(c["text"] for c in (cfg or {}).get("credits") or [])
    weight = ctx.analysis.demand.weight_name(ctx.weight)
    page = explore(ctx.analysis, kind=ctx.maps.kind, weight=weight, data=ctx.maps,
                   coverage=ctx.coverage, credit=credit or None, weight_label=weight_text(weight))
    ctx.store.setdefault("files", {})[INTERACTIVE_NAME] = page.html
    return Section(key="interactive", title="操作できる地図",
                   text=(f"{INTERACTIVE_NAME} はブラウザで開く地図です（ネットワーク不要）。"
                         "拡大・移動し、圏域・人口メッシュ・施設・到達範囲と空白地域の表示を"
                         "切り替えられます。"),
                   html=f'<p><a href="{INTERACTIVE_NAME}">{INTERACTIVE_NAME} を開く</a></p>')
