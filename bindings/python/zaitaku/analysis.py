"""The analysis: reach, coverage, service areas and gaps, straight line."""
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from . import _core
from ._core import Table, call, cstrings, encode
from ._libcoverage import ffi, lib
from .errors import error_for
from .inputs import crs_text
from .units import metres

DOCTOR_ANY = "doctor_any"
DOCTOR_AND_NURSING = "doctor_and_nursing"


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
                 crs=None, doctor_kinds=None, nursing_kinds=None, circle_segments=128):
        from .inputs import Demand, Facilities, Regions

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
        opt = ffi.new("cov_analysis_options *")
        lib.cov_analysis_options_init(opt)
        opt.coastal_snap_m = 0.0 if coastal_snap in (0, None) else metres(coastal_snap, "coastal_snap")
        opt.circle_segments = int(circle_segments)
        keep = []
        if crs is not None:
            keep.append(ffi.new("char[]", crs_text(crs).encode()))
            opt.crs = keep[-1]
        for kinds, attr in ((doctor_kinds, "doctor_kinds"), (nursing_kinds, "nursing_kinds")):
            if kinds is not None:
                setattr(opt, attr, cstrings(list(kinds), keep))
                setattr(opt, "n_" + attr, len(kinds))
        ptr = call(ctx, lib.cov_analysis_create, regions._ptr, facilities._ptr, demand._ptr, opt,
                   progress="assigning demand to regions")
        # the C analysis borrows its inputs: they must outlive it
        self._ptr = ctx.owns(ptr, lib.cov_analysis_destroy, (regions, facilities, demand))

    @classmethod
    def sample(cls, **kwargs):
        """The analysis of the bundled fictional sample (サンプル県): its
        municipalities dissolved into three home-care areas, 41 facilities,
        1 km mesh population with total, age65 and age75."""
        from .inputs import read_demand, read_facilities, read_regions
        from .sample import sample_path

        munis = read_regions(sample_path("municipalities.shp"), "muni_code", "muni_name")
        areas = munis.dissolve(sample_path("areas.csv"), "muni_code", "area_code", "area_name")
        fac = read_facilities(sample_path("facilities.csv"), kind_field="kind", name_field="name",
                              capacity_field="capacity")
        dem = read_demand(sample_path("population_mesh1km.csv"), mesh_field="mesh_code",
                          weight_fields=["total", "age65", "age75"])
        return cls(areas, fac, dem, **kwargs)

    @property
    def crs(self):
        """The projected CRS used for areas and polygons (PROJ string)."""
        return _core._text(lib.cov_analysis_crs(self._ptr))

    def _radius(self, radius):
        return self.radius_m if radius is None else metres(radius, "radius")

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

    def reach(self, kind=None, radius=None):
        """Per demand unit and kind: the nearest facility (id, index and
        geodesic distance_m) and n_within, the facilities within the radius.

        Returns
        -------
        pandas.DataFrame
            demand_id, region_id, kind, nearest_id, nearest_index,
            distance_m, n_within (long form, one row per unit and kind).
        """
        return self._reach_table(kind, radius).to_frame()

    def _reach_table(self, kind, radius):
        return self._table(lib.cov_analysis_reach, encode(kind), self._radius(radius),
                           progress="reach")

    def coverage(self, radius=None, weight=None, area=True):
        """Coverage per region and kind (and the derived kinds doctor_any
        and doctor_and_nursing).

        Parameters
        ----------
        radius : str or float, optional
            Defaults to the analysis's radius.
        weight : str or int, optional
            Weight column of the demand (default the first).
        area : bool
            Also compute area_km2 and area_covered_km2 (polygon work).

        Returns
        -------
        pandas.DataFrame
            region_id, region_name, kind, n_facilities, demand_total,
            demand_covered, share_covered, demand_redundant (2 or more
            facilities within reach), share_redundant, area_km2,
            area_covered_km2, share_area_covered.
        """
        return self._coverage_table(radius, weight, area).to_frame()

    def _coverage_table(self, radius, weight, area):
        flags = 0 if area else lib.COV_COVERAGE_NO_AREA
        return self._table(lib.cov_analysis_coverage, self._radius(radius), self._weight(weight),
                           flags, progress="coverage")

    def service_areas(self, radius=None, by="region"):
        """Reached land: ``by="region"`` gives per region and kind the union
        of the geodesic circles clipped to the region; ``by="facility"`` one
        circle per facility. A GeoDataFrame in EPSG:6668."""
        return self._service_table(radius, by).to_frame()

    def _service_table(self, radius, by):
        modes = {"region": lib.COV_AREAS_BY_REGION_KIND, "facility": lib.COV_AREAS_BY_FACILITY}
        if by not in modes:
            raise ValueError(f"by must be 'region' or 'facility', not {by!r}")
        return self._table(lib.cov_analysis_service_areas, self._radius(radius), modes[by],
                           progress="service areas")

    def gaps(self, radius=None, kind=None, weight=None):
        """Uncovered land per region and kind: region minus the union of the
        kind's circles, with area_km2, n_parts and demand_uncovered. A
        GeoDataFrame in EPSG:6668; fully covered regions have no row."""
        return self._gaps_table(radius, kind, weight).to_frame()

    def _gaps_table(self, radius, kind, weight):
        return self._table(lib.cov_analysis_gaps, self._radius(radius), encode(kind),
                           self._weight(weight), progress="gaps")

    def save(self, folder, radius=None, weight=None):
        """Writes coverage.csv, reach.csv, gaps.shp and service_areas.shp
        (UTF-8, .prj and .cpg) into folder, each through a temporary file.

        Returns the list of paths written."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        # Computed first, checked against the inputs, written into a
        # staging folder, then renamed into place: a failed call leaves no
        # partial set of outputs and never touches an input.
        jobs = [("coverage.csv", self._coverage_table(radius, weight, True)),
                ("reach.csv", self._reach_table(None, radius)),
                ("gaps.shp", self._gaps_table(radius, None, weight)),
                ("service_areas.shp", self._service_table(radius, "region"))]
        self._refuse_inputs(folder, [name for name, _ in jobs])
        staging = Path(tempfile.mkdtemp(prefix=".zaitaku-save-", dir=folder))
        try:
            for name, table in jobs:
                (table.write_shp if name.endswith(".shp") else table.write_csv)(staging / name)
            written = []
            for name, _ in jobs:
                for part in sorted(staging.glob(Path(name).stem + ".*")):
                    os.replace(part, folder / part.name)
                written.append(folder / name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return written

    def _refuse_inputs(self, folder, names):
        """Raises InputFileError when an output (any file of a shapefile
        set, either case of extension) would replace an input."""
        for name in names:
            stem = Path(name).stem
            exts = [".shp", ".shx", ".dbf", ".prj", ".cpg"] if name.endswith(".shp") else [".csv"]
            for ext in exts + [e.upper() for e in exts]:
                path = folder / (stem + ext)
                with self._ctx.lock:  # the context's list of inputs
                    is_input = lib.cov_is_input_path(self._ctx.ptr, os.fsencode(path))
                if is_input:
                    raise error_for("COV_ERR_IO", lib.COV_ERR_IO,
                                    f"refusing to write {path}: it was read as an input "
                                    "(nothing was written)")

    def plot(self, kind=DOCTOR_AND_NURSING, radius=None, ax=None, **kwargs):
        """A map of the regions, the facilities by kind and the land within
        reach of ``kind`` (see :func:`zaitaku.plot.plot_analysis`)."""
        from .plot import plot_analysis

        return plot_analysis(self, kind=kind, radius=radius, ax=ax, **kwargs)

    def __repr__(self):
        return (f"<Analysis: {len(self.regions)} regions, {len(self.facilities)} facilities, "
                f"{len(self.demand)} demand units, radius {self.radius_m:g} m>")

    def _repr_html_(self):
        cov = self.coverage(area=False)
        pivot = cov.pivot_table(index=["region_id", "region_name"], columns="kind",
                                values="share_covered", sort=False)
        pivot = (pivot * 100).round(1)
        return (f"<div><b>Analysis</b> — {len(self.regions)} regions, {len(self.facilities)} "
                f"facilities, {len(self.demand)} demand units; share of demand within "
                f"{self.radius_m / 1000:g} km (%)</div>" + pivot.to_html())
