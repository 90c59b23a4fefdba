"""The one Analysis builder: regions, facilities and demand read through
zaitaku's readers (libcoverage's for shapefiles and CSV, in any encoding
they take; geopandas for other vector files), regions merged through a
mapping, a road network set. ``zaitaku coverage``/``check``/``plan``
(:func:`zaitaku.cli.common.analysis_from_args`) and the report configuration
(:func:`zaitaku.report.build.build_analysis`) both call it, so an option
means the same everywhere.

Examples
--------
>>> from zaitaku import sample_path
>>> from zaitaku.analysis.build import build_analysis
>>> an = build_analysis(
...     regions=dict(path=sample_path("municipalities.shp"), id_field="muni_code",
...                  name_field="muni_name"),
...     dissolve=dict(mapping=sample_path("areas.csv"), from_field="muni_code",
...                   to_field="area_code", name_field="area_name"),
...     facilities=dict(path=sample_path("facilities.csv"), kind_field="kind"),
...     demand=dict(path=sample_path("population_mesh1km.csv"), mesh_field="mesh_code",
...                 weight_fields=["total"]))
>>> len(an.regions), len(an.facilities), len(an.demand)
(3, 41, 2200)
"""
from ..inputs import Demand, Facilities, Regions, read_demand, read_facilities, read_regions
from .core import Analysis


def _read(spec, cls, reader):
    """An object as given, or read: spec is a dict of the reader's keyword
    arguments with the source under ``path``."""
    if isinstance(spec, cls):
        return spec
    spec = dict(spec)
    return reader(spec.pop("path"), **spec)


def build_analysis(*, regions, facilities, demand, dissolve=None, network=None,
                   network_options=None, **options):
    """An :class:`~zaitaku.Analysis` of inputs read or given.

    Parameters
    ----------
    regions, facilities, demand : Regions, Facilities, Demand or dict
        Objects already read, or the keyword arguments of
        :func:`~zaitaku.read_regions`, :func:`~zaitaku.read_facilities`,
        :func:`~zaitaku.read_demand` with the source under ``"path"``.
    dissolve : dict, optional
        Keyword arguments of :meth:`Regions.dissolve` (``mapping``,
        ``from_field``, ``to_field``, ``name_field``, ``strict``).
    network : Network, optional
        Reach along these roads: the analysis returned is
        ``Analysis(...).with_network(network, **network_options)``.
    **options
        Of :class:`~zaitaku.Analysis` (radius, coastal_snap, crs,
        doctor_kinds, nursing_kinds, land, ...).

    Returns
    -------
    Analysis
        Its ``regions`` are the dissolved ones; the regions as read are
        :func:`build_inputs`' too.
    """
    regions, facilities, demand = build_inputs(regions, facilities, demand, dissolve)[1:]
    an = Analysis(regions, facilities, demand, **options)
    if network is not None:
        an = an.with_network(network, **(network_options or {}))
    return an


def build_inputs(regions, facilities, demand, dissolve=None):
    """``(units, regions, facilities, demand)``: the regions as read
    (municipalities, say), the regions after ``dissolve``, and the other
    inputs, read as :func:`build_analysis` reads them."""
    units = _read(regions, Regions, read_regions)
    merged = units
    if dissolve:
        d = dict(dissolve)
        merged = units.dissolve(d.pop("mapping"), **d)
    return (units, merged, _read(facilities, Facilities, read_facilities),
            _read(demand, Demand, read_demand))
