"""The analysis: reach, coverage, service areas and gaps, along the straight
line or, with :meth:`Analysis.with_network`, along roads. An Analysis never
changes: another travel model is another Analysis (sharing the C analysis
and its caches)."""
import warnings
from pathlib import Path


from .._ffi import core as _core
from .._ffi.core import Table, call, cstrings, encode
from .._libcoverage import ffi, lib
from ..outputs import OutputSet, check_headers, relabel_csv, write_csv
from ..errors import CoverageWarning
from ..inputs import crs_text
from ..kinds import DOCTOR_AND_NURSING, DOCTOR_ANY  # noqa: F401  (zaitaku.analysis.core's)
from ..units import metres, seconds, threshold


_METRICS = {lib.COV_TRAVEL_STRAIGHT: "straight", lib.COV_TRAVEL_DISTANCE: "distance",
            lib.COV_TRAVEL_TIME: "time"}


class Analysis:
    """Regions, facilities, demand and a travel model (straight line).

    Distances are geodesic on GRS80, as the 16 km house-call rule is. A
    demand unit counts as covered when its point (a mesh cell's centroid)
    is within reach; area figures come from polygons, built in an equal-area
    projection centred on the regions (or ``crs``).

    Parameters
    ----------
    regions, facilities, demand
        From :func:`read_regions`, :func:`read_facilities`,
        :func:`read_demand` (made in the same thread).
    radius : str or float
        Default reach, e.g. ``"16km"`` or metres.
    coastal_snap : str or float
        Demand points in the sea join the nearest region within this
        distance; the rest are reported (:meth:`assignment`), not dropped.
    doctor_kinds, nursing_kinds : list of str, optional
        Kinds counted as doctors (their union is the kind ``doctor_any``)
        and as nurses (``doctor_and_nursing`` needs both within reach).
    land : Regions, optional
        The land around the regions (e.g. every municipality of the
        prefecture and its neighbours, from :func:`read_regions`). The coastal
        rule then applies only to points that are not on land: a cell of a
        neighbouring town stays outside (method ``outside_land`` in
        :meth:`assignment`). Without it, a warning says when the regions look
        like part of the land (docs/edges.md).
    scenario : str, optional
        A label for this analysis ("2025", "winter", "plan A"): written in
        a ``scenario`` column of the tables :meth:`save` writes, and the
        name :func:`zaitaku.compare` gives it. :meth:`with_scenario`
        relabels; analyses derived with ``with_network`` and the like keep
        it.

    Facilities may also be a DataFrame or GeoDataFrame as the official
    readers return it: read with :func:`read_facilities` (id
    ``facility_id``; kind, name and the planning columns by their usual
    names when present, see :func:`zaitaku.analysis.core.facility_fields`).

    The queries (:meth:`reach`, :meth:`coverage`, :meth:`gaps`,
    :meth:`service_areas`, :meth:`save`) take the reach as ``radius`` or,
    by planning's and the roads' word, ``threshold=``; either is a distance
    ("16km") or, along roads, a time ("30min").

    Examples
    --------
    >>> import zaitaku
    >>> an = zaitaku.Analysis.sample()
    >>> cov = an.coverage()
    >>> row = cov[(cov.region_id == "9903") & (cov.kind == "nursing")].iloc[0]
    >>> row.region_name, round(float(row.share_covered), 3)
    ('島しょ在宅医療圏', 1.0)
    """

    def __init__(self, regions, facilities, demand, *, radius="16km", coastal_snap="1km",
                 crs=None, doctor_kinds=None, nursing_kinds=None, circle_segments=128,
                 land=None, network=None, scenario=None, **network_options):
        from ..inputs import Demand, Facilities, Regions

        facilities = _facilities_of(facilities, getattr(regions, "_ctx", None))
        for value, cls in ((regions, Regions), (facilities, Facilities), (demand, Demand)):
            if not isinstance(value, cls):
                raise TypeError(f"Analysis needs {cls.__name__} (from read_{cls.__name__.lower()}), "
                                f"not {type(value).__name__}")
        ctx = regions._ctx
        if facilities._ctx is not ctx or demand._ctx is not ctx:
            raise ValueError("regions, facilities and demand were made in different threads "
                             "(contexts); read them in the thread that analyses them")
        self._ctx = ctx
        self.regions, self.facilities, self.demand = regions, facilities, demand
        self.radius_m = metres(radius, "radius")
        # what another analysis of other demand needs (scale_demand)
        self._options = dict(radius=self.radius_m, coastal_snap=coastal_snap, crs=crs,
                             doctor_kinds=doctor_kinds, nursing_kinds=nursing_kinds,
                             circle_segments=circle_segments, land=land)
        opt = ffi.new("cov_analysis_options *")
        lib.cov_analysis_options_init(opt)
        opt.coastal_snap_m = 0.0 if coastal_snap in (0, None) else metres(coastal_snap, "coastal_snap")
        opt.circle_segments = int(circle_segments)
        keep = []
        if crs is not None:
            keep.append(ffi.new("char[]", crs_text(crs).encode()))
            opt.crs = keep[-1]
        if land is not None:
            if not isinstance(land, Regions):
                raise TypeError(f"land needs Regions (from read_regions), not "
                                f"{type(land).__name__}")
            if land._ctx is not ctx:
                raise ValueError("land was made in another thread (context); read it in the "
                                 "thread that analyses it")
            opt.land = land._ptr  # used by cov_analysis_create only
        _check_kinds(facilities, doctor_kinds, nursing_kinds)
        for kinds, attr in ((doctor_kinds, "doctor_kinds"), (nursing_kinds, "nursing_kinds")):
            if kinds is not None:
                setattr(opt, attr, cstrings(list(kinds), keep))
                setattr(opt, "n_" + attr, len(kinds))
        ptr = call(ctx, lib.cov_analysis_create, regions._ptr, facilities._ptr, demand._ptr, opt,
                   progress="assigning demand to regions")
        # the C analysis borrows its inputs: they must outlive it
        self._ptr = ctx.owns(ptr, lib.cov_analysis_destroy, (regions, facilities, demand))
        self.network, self._road, self._road_threshold = None, None, None
        self.metric, self.winter = "straight", False
        # polygon frames already made (_kept), shared with the analyses derived
        # from this one (same C analysis): keyed by the C model, which each
        # entry keeps alive so that its address is not reused
        self._frames = {}
        self.scenario = _scenario(scenario)
        if network is not None:
            self.__dict__.update(self.with_network(network, **network_options).__dict__)
        elif network_options:
            raise TypeError(f"{', '.join(sorted(network_options))}: only with network=")

    @classmethod
    def sample(cls, **kwargs):
        """The analysis of the bundled fictional sample (サンプル県): its
        municipalities dissolved into three home-care areas, 41 facilities,
        1 km mesh population with total, age65 and age75."""
        from ..inputs import read_demand, read_facilities, read_regions
        from ..sample import sample_path

        munis = read_regions(sample_path("municipalities.shp"), "muni_code", "muni_name")
        areas = munis.dissolve(sample_path("areas.csv"), "muni_code", "area_code", "area_name")
        fac = read_facilities(sample_path("facilities.csv"), kind_field="kind", name_field="name",
                              capacity_field="capacity", roles_field="role", h24_field="h24",
                              doctors_field="doctors", nurse_fte_field="nurse_fte",
                              beds_field="beds")
        dem = read_demand(sample_path("population_mesh1km.csv"), mesh_field="mesh_code",
                          weight_fields=["total", "age65", "age75"])
        return cls(areas, fac, dem, **kwargs)

    @property
    def crs(self):
        """The projected CRS used for areas and polygons (PROJ string)."""
        return _core._text(lib.cov_analysis_crs(self._ptr))

    # ---- travel models (issue 12): values, never modes
    def with_network(self, network, metric="distance", winter=False, threshold=None,
                     snap_max="1km", access_speed_kmh=15.0, buffer="100m"):
        """The same analysis measured along roads: a new Analysis (this one
        is not changed), as geopandas returns new frames.

        Thresholds say what they measure by their unit: ``"16km"`` is
        metres along roads, ``"30min"`` is driving time (at the network's
        class speeds). Access legs from a point to its road count at both
        ends (at ``access_speed_kmh`` for time). Demand units farther than
        ``snap_max`` from every road are unreachable: never covered, listed
        by :meth:`unreachable` (a warning says how many, here).

        The facilities and demand units are snapped to the network once and
        shared by every analysis made from this one (other seasons and
        metrics included). Speeds changed later with ``set_speed`` are seen
        by the next query (nothing cached with the old speeds is reused).

        Parameters
        ----------
        network : Network
            From :func:`zaitaku.read_network`.
        metric : {"distance", "time"}
            What a bare number as threshold means (metres or seconds).
        winter : bool
            Winter speeds: 10 km/h lower, at least half (README, "Road
            networks"); :meth:`with_season` switches.
        threshold : str, optional
            Default threshold along roads (e.g. ``"30min"``); without it
            the analysis's ``radius`` for distance and 30 minutes for time.
        snap_max, buffer : str or float
            The snap cap and the isochrones' lateral buffer.

        Returns
        -------
        Analysis

        Examples
        --------
        >>> import zaitaku
        >>> an = zaitaku.Analysis.sample()
        >>> roads = an.with_network(zaitaku.sample_road_grid())
        >>> cov = roads.coverage("30min", area=False)
        >>> summer = cov[cov.kind == "nursing"].demand_covered.sum()
        >>> cov = roads.with_season(winter=True).coverage("30min", area=False)
        >>> bool(cov[cov.kind == "nursing"].demand_covered.sum() <= summer)
        True
        """
        from ..network import Network

        if not isinstance(network, Network):
            raise TypeError(f"with_network needs a Network (from read_network), not "
                            f"{type(network).__name__}")
        if network._ctx is not self._ctx:
            raise ValueError("the network was made in another thread (context); read it in "
                             "the thread that analyses it")
        if metric not in ("distance", "time"):
            raise ValueError(f"metric must be 'distance' or 'time', not {metric!r}")
        road = _Road(self, network, snap_max_m=metres(snap_max, "snap_max"),
                     access_speed_kmh=float(access_speed_kmh),
                     buffer_m=metres(buffer, "buffer"))
        out = self._derive(road, metric, bool(winter), threshold)
        # snap now, so that off-road units are reported when the network is
        # attached (the C analysis snaps once per network and snap cap)
        out._table(lib.cov_analysis_unreachable, out._model_ptr(), progress="snapping to roads")
        return out

    def with_season(self, winter=True):
        """The same road analysis with winter (or summer) speeds: a new
        Analysis sharing this one's snapping."""
        if self.network is None:
            raise ValueError("with_season needs a road analysis (with_network): winter slows "
                             "driving, not the straight line")
        return self._derive(self._road, self.metric, bool(winter), self._road_threshold)

    def with_metric(self, metric):
        """The same road analysis measuring ``"distance"`` or ``"time"``."""
        if self.network is None:
            raise ValueError("with_metric needs a road analysis (with_network)")
        if metric not in ("distance", "time"):
            raise ValueError(f"metric must be 'distance' or 'time', not {metric!r}")
        return self._derive(self._road, metric, self.winter, None)

    def with_scenario(self, label):
        """The same analysis under another scenario label (a new Analysis
        sharing everything else; None removes the label).

        >>> import zaitaku
        >>> an = zaitaku.Analysis.sample()
        >>> an.with_scenario("2025").scenario, an.scenario
        ('2025', None)
        """
        out = self._derive(self._road, self.metric, self.winter, self._road_threshold)
        out.scenario = _scenario(label)
        return out

    def with_kinds(self, doctor_kinds=None, nursing_kinds=None):
        """The same analysis counting other kinds as doctors (doctor_any)
        or as nurses: a new Analysis on the same travel model."""
        kinds = {name: list(value) for name, value in (("doctor_kinds", doctor_kinds),
                                                        ("nursing_kinds", nursing_kinds))
                 if value is not None}
        out = self._rebuilt(self.demand, **kinds)
        out.scenario = self.scenario  # the same people and travel: the same scenario
        return out

    def _rebuilt(self, demand, **options):
        """A new Analysis of these regions and facilities on ``demand``, with
        this one's options (``options`` override some) and travel model."""
        out = type(self)(self.regions, self.facilities, demand, **{**self._options, **options})
        if self._road is not None:
            o = self._road.options
            out = out.with_network(self.network, metric=self.metric, winter=self.winter,
                                   threshold=self._road_threshold, snap_max=o["snap_max_m"],
                                   access_speed_kmh=o["access_speed_kmh"], buffer=o["buffer_m"])
        return out

    def straight(self):
        """The same analysis along the straight line (geodesic metres)."""
        return self._derive(None, "straight", False, None)

    def scale_demand(self, factors, *, by=None, weight=None, default=None, code_field=None,
                     factor_field="factor"):
        """The same analysis on demand of another year: each unit's weight
        times the factor of its region (issue 13, docs/forecast.md). A new
        Analysis (this one is not changed), on the same travel model.

        Parameters
        ----------
        factors : mapping, Series, DataFrame or CSV path
            A factor per region code (see
            :func:`zaitaku.analysis.forecast.factor_table`), e.g.
            :func:`zaitaku.official.read_demand_forecast`'s table.
        by : Regions, optional
            Whose codes the factors are keyed by: default this analysis's
            regions (the unit gets the factor of the region coverage
            counts it in); or other regions, e.g. municipalities, whose
            assignment (same coastal rule and land) picks the factor.
        weight : str or int, optional
            The weight column scaled (default: every one).
        default : float, optional
            Factor of units in a region without one; without it, such a
            region is an error naming it. Units in no region of this
            analysis keep their weight (they count nowhere).

        Returns
        -------
        Analysis
            With ``demand_factors``: region_id, factor, n_units (by the
            regions the factors are keyed by).

        Examples
        --------
        >>> import zaitaku
        >>> an = zaitaku.Analysis.sample()
        >>> later = an.scale_demand({"9901": 0.9, "9902": 1.2, "9903": 0.5}, weight="age75")
        >>> a = an.coverage(weight="age75", area=False)
        >>> b = later.coverage(weight="age75", area=False)
        >>> ratio = b.demand_total.to_numpy() / a.demand_total.to_numpy()
        >>> sorted(set(ratio.round(12).tolist()))
        [0.5, 0.9, 1.2]
        """
        from .forecast import scale_analysis

        return scale_analysis(self, factors, by=by, weight=weight, default=default,
                              code_field=code_field, factor_field=factor_field)

    def use_network(self, *args, **kwargs):
        """Removed: an Analysis never changes what later calls mean. Use
        ``roads = an.with_network(network, ...)``, which returns a new
        Analysis and leaves ``an`` on the straight line."""
        raise TypeError("Analysis.use_network() was replaced by with_network(), which returns "
                        "a new Analysis (the analysis it is called on stays as it is): "
                        "roads = an.with_network(network, metric=..., winter=...); "
                        "with_season(winter) and straight() give the others")

    def _derive(self, road, metric, winter, road_threshold):
        out = object.__new__(type(self))
        out.__dict__.update(self.__dict__)
        out._road, out.metric, out.winter = road, metric, winter
        out.network = road.network if road is not None else None
        out._road_threshold = road_threshold
        return out

    @property
    def context(self):
        """The zaitaku context (thread) the analysis and its inputs live in
        (read-only): what :class:`zaitaku.outputs.OutputSet` checks outputs
        against."""
        return self._ctx

    @property
    def c_analysis(self):
        """The ``cov_analysis *`` (cffi pointer, owned by this object and
        shared by the analyses derived from it; do not free it), for code
        that calls libcoverage directly (planning)."""
        return self._ptr

    @property
    def model(self):
        """This analysis's C travel model (``cov_travel_model *``, ffi.NULL
        for the straight line; owned here, do not free it)."""
        return self._model_ptr()

    def _model_ptr(self, metric=None, winter=None):
        """The C travel model (ffi.NULL for the straight line)."""
        if self._road is None:
            return ffi.NULL
        return self._road.model(metric or self.metric, self.winter if winter is None else winter)

    def model_for(self, threshold=None, winter=None):
        """(C travel model, threshold in its unit) for a threshold as
        users write it (None: the analysis's default): what every query
        passes to C. For code that calls libcoverage directly."""
        return self._call_args(threshold, winter)

    def measure(self, threshold=None, winter=None):
        """What a threshold measures here, as (metric, value): metric
        "straight", "distance" (metres along roads) or "time" (seconds),
        value in its unit; along roads the threshold's unit picks the metric.

        Examples
        --------
        >>> import zaitaku
        >>> zaitaku.Analysis.sample().measure("10km")
        ('straight', 10000.0)
        """
        model, value = self._call_args(threshold, winter)
        return _METRICS[lib.cov_travel_model_metric(model)], value

    def unreachable(self):
        """Demand units farther than the snap cap from every road
        (demand_id, snap_distance_m, and the unit's point: lon, lat):
        along roads, they are never covered."""
        if self.network is None:
            raise ValueError("unreachable: the analysis is on the straight line "
                             "(with_network gives a road analysis)")
        units = self._table(lib.cov_analysis_unreachable, self._model_ptr()).to_frame()
        return units.merge(self.demand.points(), on="demand_id", how="left")

    def _call_args(self, radius, winter=None):
        """(C model, threshold value) for one query: the threshold's unit
        picks the metric along roads ("16km" distance, "30min" time), the
        season is the analysis's unless ``winter`` says otherwise. Nothing
        is changed: each query carries its own model."""
        if self._road is None:
            if winter:
                raise ValueError("winter=True needs a road network: winter slows driving, "
                                 "not the straight line (with_network)")
            if radius is None:
                return ffi.NULL, self.radius_m
            if isinstance(radius, str):
                kind, value = threshold(radius, "radius")
                if kind == "time":
                    raise ValueError(f"a time threshold ({radius!r}) needs a road network: "
                                     "an.with_network(zaitaku.read_network(...))")
                return ffi.NULL, value
            return ffi.NULL, metres(radius, "radius")
        if radius is None:
            radius = self._road_threshold
        if radius is None:
            metric, value = (("time", 1800.0) if self.metric == "time"
                             else ("distance", self.radius_m))
        elif isinstance(radius, str):
            metric, value = threshold(radius, "threshold")
        else:
            metric = self.metric
            value = (seconds if metric == "time" else metres)(radius, "threshold")
        season = self.winter if winter is None else bool(winter)
        return self._road.model(metric, season), value

    def threshold_text(self, radius=None, winter=None):
        """The threshold as people write it ("16 km", "30 min by road")."""
        metric, value = self.measure(radius, winter)
        season = self.winter if winter is None else bool(winter)
        tail = " (winter)" if self._road is not None and season else ""
        if metric == "time":
            return f"{value / 60:g} min by road" + tail
        text = f"{value / 1000:g} km" if value >= 1000 else f"{value:g} m"
        if self._road is not None:
            text += " by road" + tail
        return text

    @property
    def road_threshold(self):
        """The default threshold along roads as given to with_network
        (e.g. "30min"), or None."""
        return self._road_threshold

    @property
    def road_options(self):
        """The road settings (snap_max_m, access_speed_kmh, buffer_m), or
        None on the straight line."""
        return None if self._road is None else dict(self._road.options)

    def _weight(self, weight):
        return 0 if weight is None else self.demand._weight_index(weight)

    def _table(self, fn, *args, progress=None):
        return Table(self._ctx, call(self._ctx, fn, self._ptr, *args, progress=progress))

    def assignment(self):
        """How each demand unit was assigned: demand_id, region_id, method
        ("inside", "snapped" or "unassigned") and snap_distance_m."""
        return self._table(lib.cov_analysis_assignment).to_frame()

    @property
    def unassigned(self):
        """The demand units in no region nor near one (left out of coverage)."""
        a = self.assignment()
        return a[a.method == "unassigned"].reset_index(drop=True)

    def reach(self, kind=None, radius=None, winter=None, *, threshold=None):
        """Per demand unit and kind: the nearest facility (id, index and
        geodesic distance_m) and n_within, the facilities within the radius.

        Returns
        -------
        pandas.DataFrame
            demand_id, region_id, kind, nearest_id, nearest_index,
            distance_m, n_within, and the unit's point (lon, lat, JGD2011
            degrees) (long form, one row per unit and kind).
            Along roads (:meth:`with_network`) the nearest facility is the
            one within the threshold (none beyond it), distance_m the path's
            length, and two more columns: time_s (the path's driving time)
            and snap_distance_m (NaN: the unit is off every road).
        """
        radius = _either(radius, threshold)
        return self._reach_table(kind, radius, winter).to_frame()

    def _reach_table(self, kind, radius, winter=None):
        model, value = self._call_args(radius, winter)
        return self._table(lib.cov_analysis_reach, model, encode(kind), value, progress="reach")

    def coverage(self, radius=None, weight=None, area=True, winter=None, *, threshold=None):
        """Coverage per region and kind (and the derived kinds doctor_any
        and doctor_and_nursing).

        Parameters
        ----------
        radius : str or float, optional
            Defaults to the analysis's radius. Along roads, ``"16km"`` or
            ``"30min"``.
        weight : str or int, optional
            Weight column of the demand (default the first).
        area : bool
            Also compute area_km2 and area_covered_km2 (polygon work).
        winter : bool, optional
            Along roads: winter speeds (default: the analysis's season).

        Returns
        -------
        pandas.DataFrame
            region_id, region_name, kind, n_facilities, demand_total,
            demand_covered, share_covered, demand_redundant (2 or more
            facilities within reach), share_redundant, area_km2,
            area_covered_km2, share_area_covered.
        """
        radius = _either(radius, threshold)
        return self._coverage_table(radius, weight, area, winter).to_frame()

    def _coverage_table(self, radius, weight, area, winter=None):
        flags = 0 if area else lib.COV_COVERAGE_NO_AREA
        model, value = self._call_args(radius, winter)
        return self._table(lib.cov_analysis_coverage, model, value, self._weight(weight),
                           flags, progress="coverage")

    def service_areas(self, radius=None, by="region", winter=None, kind=None, *,
                      threshold=None):
        """Reached land: ``by="region"`` gives per region and kind the union
        of the geodesic circles clipped to the region; ``by="facility"`` one
        circle per facility. Along roads, isochrones instead of circles:
        the reached parts of roads buffered by ``buffer`` (with_network),
        never land farther than that from a reached road. ``kind`` keeps
        one kind (by region also a derived kind such as
        ``doctor_and_nursing``), and by region computes only its overlays.
        A GeoDataFrame in EPSG:6668."""
        radius = _either(radius, threshold)
        c_kind = kind if by == "region" else None
        frame = self._kept("service_areas", radius, winter, (by, c_kind),
                           lambda: self._service_table(radius, by, winter, c_kind))
        if kind is not None and by == "facility":
            if kind not in self.facilities.kinds:
                raise ValueError(f"no facility kind {kind!r} (the facilities' kinds: "
                                 f"{', '.join(self.facilities.kinds)})")
            frame = frame[frame["kind"] == kind].reset_index(drop=True)
        return frame

    def _service_table(self, radius, by, winter=None, kind=None):
        modes = {"region": lib.COV_AREAS_BY_REGION_KIND, "facility": lib.COV_AREAS_BY_FACILITY}
        if by not in modes:
            raise ValueError(f"by must be 'region' or 'facility', not {by!r}")
        model, value = self._call_args(radius, winter)
        return self._table(lib.cov_analysis_service_areas, model, value, modes[by],
                           encode(kind), progress="service areas")

    def gaps(self, radius=None, kind=None, weight=None, winter=None, *, threshold=None):
        """Uncovered land per region and kind: region minus the union of the
        kind's circles (isochrones along roads), with area_km2, n_parts and
        demand_uncovered. A GeoDataFrame in EPSG:6668; fully covered regions
        have no row."""
        radius = _either(radius, threshold)
        return self._kept("gaps", radius, winter, (kind, self._weight(weight)),
                          lambda: self._gaps_table(radius, kind, weight, winter))

    def _kept(self, name, radius, winter, args, table):
        """The frame of table() (a libcoverage Table), made once per travel
        model, threshold and args and copied out on every call: a repeated
        gaps() or service_areas() on Hokkaido took a second (lon/lat
        geometry and WKB made again), a copy takes milliseconds."""
        model, value = self._call_args(radius, winter)
        key = (name, int(ffi.cast("uintptr_t", model)), value, args)
        if key not in self._frames:
            self._frames[key] = (table().to_frame(), model)
        return self._frames[key][0].copy()

    def _gaps_table(self, radius, kind, weight, winter=None):
        model, value = self._call_args(radius, winter)
        return self._table(lib.cov_analysis_gaps, model, value, encode(kind),
                           self._weight(weight), progress="gaps")

    def save(self, folder, radius=None, weight=None, winter=None, extra=None, headers="en", *,
             threshold=None):
        """Writes coverage.csv, reach.csv, gaps.shp and service_areas.shp
        (UTF-8, .prj and .cpg) into folder, and each ``extra`` item (name:
        DataFrame) as a CSV beside them.

        Each CSV can be read alone: coverage.csv says what it counts in
        columns ``weight`` (the demand's weight column) and ``threshold``
        ("16 km", "30 min by road"), and ``scenario`` when the analysis has
        one; reach.csv holds each unit's point (lon, lat). ``headers="ja"``
        writes Japanese headings (圏域コード, 圏域名, 75歳以上人口, ...;
        :func:`zaitaku.columns.japanese_headers`) in UTF-8 with a BOM.

        Computed first, then written into a staging folder and renamed into
        place (see :class:`zaitaku.outputs.OutputSet`): a failed call
        leaves no partial set of outputs, and an output that would replace
        an input is refused (InputFileError) before anything is written.
        Returns the list of paths written."""
        radius = _either(radius, threshold)
        check_headers(headers)
        weight_name = self.demand.weight_name(weight)
        # the gaps first: coverage's areas are then theirs, not made again
        gaps = self._gaps_table(radius, None, weight, winter)
        coverage = self.labelled(self._coverage_table(radius, weight, True, winter).to_frame(),
                                 radius, weight, winter)
        jobs = [("reach.csv", self._reach_table(None, radius, winter)),
                ("gaps.shp", gaps),
                ("service_areas.shp", self._service_table(radius, "region", winter))]
        with OutputSet(self._ctx, folder) as out:
            write_csv(coverage, out.path("coverage.csv"), headers, weight_name)
            for name, table in jobs:
                path = out.path(name)
                (table.write_shp if name.endswith(".shp") else table.write_csv)(path)
                if headers == "ja" and name.endswith(".csv"):
                    relabel_csv(path, weight_name)
            for name, frame in (extra or {}).items():
                write_csv(frame, out.path(name), headers, weight_name)
            return out.commit()

    def labelled(self, frame, radius=None, weight=None, winter=None, threshold=True):
        """frame with what its figures count, for a table read alone:
        ``weight`` (the weight column's name), ``threshold``
        (:meth:`threshold_text`; not with ``threshold=False``, for tables
        of several thresholds) and, when the analysis has one,
        ``scenario``; a copy."""
        frame = frame.copy()
        frame["weight"] = self.demand.weight_name(weight) or ""
        if threshold:
            frame["threshold"] = self.threshold_text(radius, winter)
        if self.scenario is not None:
            frame["scenario"] = self.scenario
        return frame

    def plot(self, kind=DOCTOR_AND_NURSING, radius=None, ax=None, **kwargs):
        """A map of the regions, the facilities by kind and the land within
        reach of ``kind`` (see :func:`zaitaku.maps.plot.plot_analysis`)."""
        from ..maps.plot import plot_analysis

        return plot_analysis(self, kind=kind, radius=radius, ax=ax, **kwargs)

    def __repr__(self):
        reach = (f"radius {self.radius_m:g} m" if self.network is None
                 else f"{self.metric} along roads{' (winter)' if self.winter else ''} of "
                      f"{self.network!r}")
        return (f"<Analysis: {len(self.regions)} regions, {len(self.facilities)} facilities, "
                f"{len(self.demand)} demand units, {reach}>")

    def _repr_html_(self):
        cov = self.coverage(area=False)
        pivot = cov.pivot_table(index=["region_id", "region_name"], columns="kind",
                                values="share_covered", sort=False)
        pivot = (pivot * 100).round(1)
        return (f"<div><b>Analysis</b> — {len(self.regions)} regions, {len(self.facilities)} "
                f"facilities, {len(self.demand)} demand units; share of demand within "
                f"{self.threshold_text()} (%)</div>" + pivot.to_html())

    # ---- report (issue 7): the builder lives in zaitaku.report
    def report(self, path, **kwargs):
        """Writes a self-contained HTML report at ``path`` (maps embedded,
        print CSS for A4) and, beside it, ``tables/*.csv``, ``tables.xlsx``
        and ``maps/*.png`` (300 dpi) and ``*.svg``.

        Keyword arguments are those of :func:`zaitaku.report.build_report`:
        ``title``, ``subtitle``, ``organisation``, ``date``, ``kinds``,
        ``map_kind``, ``weight``, ``radius``, ``formats`` (any of html, csv,
        xlsx, png, svg), ``map_dpi``, ``html_dpi``, ``credits`` (strings or
        dicts with text, what, licence), ``extra_tables`` ({key: DataFrame},
        e.g. ``policy_checks``), ``extra_sections`` (list of
        :class:`zaitaku.report.Section`), ``crs`` (projected CRS of maps),
        ``jobs`` (processes drawing the maps; default the cores, at most 4).

        Returns
        -------
        zaitaku.report.ReportResult
            The paths written and the tables.
        """
        from ..report.html import build_report

        path = Path(path)
        return build_report(self, path.parent, html_name=path.name, **kwargs)

    def explore(self, kind=DOCTOR_AND_NURSING, radius=None, **kwargs):
        """An interactive map needing no network: :func:`zaitaku.maps.interactive.explore`."""
        from ..maps.interactive import explore

        return explore(self, kind=kind, radius=radius, **kwargs)


#: Columns :class:`Analysis` reads from a facilities DataFrame, when present:
#: read_facilities' keyword -> column (the official readers' names).
FACILITY_COLUMNS = {"kind_field": "kind", "name_field": "name", "capacity_field": "capacity",
                    "roles_field": "roles", "h24_field": "h24", "network_field": "network",
                    "doctors_field": "doctors", "nurse_fte_field": "nurse_fte",
                    "beds_field": "beds", "beds_psychiatric_field": "beds_psychiatric"}


def facility_fields(frame):
    """read_facilities' keywords for a facilities DataFrame: each column
    of :data:`FACILITY_COLUMNS` it has (``role`` for ``roles`` too).

    >>> import pandas as pd
    >>> facility_fields(pd.DataFrame(columns=["facility_id", "kind", "name", "role", "lon", "lat"]))
    {'kind_field': 'kind', 'name_field': 'name', 'roles_field': 'role'}
    """
    fields = {}
    for keyword, column in FACILITY_COLUMNS.items():
        for name in (column, "role") if column == "roles" else (column,):
            if name in frame.columns:
                fields[keyword] = name
                break
    return fields


def _facilities_of(facilities, ctx):
    """facilities, read with read_facilities when it is a DataFrame."""
    import pandas as pd

    if not isinstance(facilities, pd.DataFrame):
        return facilities
    from ..inputs import read_facilities

    return read_facilities(facilities, ctx=ctx, **facility_fields(facilities))


def _either(radius, threshold):
    """The reach a query was given, by either name: ``radius`` (the
    straight line's word) or ``threshold`` (planning's and the roads' word,
    as in planning.check(doctor_threshold=...)); both only when they agree.

    >>> _either(None, "10km"), _either("10km", None), _either(None, None)
    ('10km', '10km', None)
    """
    if threshold is None:
        return radius
    if radius is not None and radius != threshold:
        raise ValueError(f"radius {radius!r} and threshold {threshold!r}: give one (they are "
                         "the same thing)")
    return threshold


def _scenario(label):
    if label is None:
        return None
    label = str(label).strip()
    if not label:
        raise ValueError("scenario: give a non-empty label (or None)")
    return label


def _check_kinds(facilities, doctor_kinds, nursing_kinds):
    """A kind no facility has is a typo until shown otherwise (issue 16: a
    misspelt --doctor-kinds silently dropped doctor_any): all of them
    unknown is an error, some of them a warning; both name the kinds the
    facilities have."""
    from ..errors import InvalidArgumentError

    present = facilities.kinds
    for kinds, what in ((doctor_kinds, "doctor_kinds"), (nursing_kinds, "nursing_kinds")):
        if kinds is None:
            continue
        kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        unknown = [k for k in kinds if k not in present]
        if not unknown:
            continue
        text = (f"{what}: no facility has kind {', '.join(map(repr, unknown))} "
                f"(the facilities' kinds: {', '.join(present) or 'none'})")
        if len(unknown) == len(kinds):
            raise InvalidArgumentError(text)
        warnings.warn(text + f"; counted: {', '.join(k for k in kinds if k in present)}",
                      CoverageWarning, stacklevel=3)


class _Road:
    """A network and road settings shared by the analyses made from one
    with_network call: the C travel models per (metric, season), made once
    and kept (each holds the network alive)."""

    def __init__(self, analysis, network, **options):
        self.network, self.options = network, options
        self._ctx = analysis._ctx
        self._models = {}

    def model(self, metric, winter):
        key = (metric, bool(winter))
        ptr = self._models.get(key)
        if ptr is None:
            from ..network import travel_struct

            t = travel_struct(metric, winter, **self.options)
            raw = call(self._ctx, lib.cov_travel_model_network, self.network._ptr, t)
            # the model borrows the network: it lives as long
            ptr = self._ctx.owns(raw, lib.cov_travel_model_destroy, (self.network,))
            self._models[key] = ptr
        return ptr
