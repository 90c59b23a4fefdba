"""The report's maps: each made, drawn once and written (PNG, SVG, the
page's image), in worker processes when the machine has cores to spare.

Drawing is most of a report's time (on Hokkaido, 22 maps: about 15 s of
figure building, Agg and SVG rendering and PNG encoding, all in Python and
matplotlib, which hold the GIL), so the maps are shared among forked
workers that inherit the analysis and its map layers (nothing is copied
or pickled but the finished page images), while this process writes the
tables. Where fork is not available, or with ``jobs=1``, the maps are
drawn here one after the other; the files are the same byte for byte.
"""
import multiprocessing
import os
import sys
import warnings

from ..maps import labels, mapstyle, raster

_WORK = None  # what the forked workers draw: set before they start


def default_jobs():
    """Worker processes for the maps: the cores this process may use, at
    most 4 (beyond that the tables and the page are the longer part)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def _fork():
    """The fork start method where it is safe to use (Linux), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


def write_map(fig, paths, formats, map_dpi, html_dpi):
    """Writes fig to paths ({"png": path, "svg": path}, those asked for in
    formats) and returns the page's PNG bytes (None without "html"). Drawn
    once: the PNG file and the page's image share the pixels."""
    drawn_dpi = max(map_dpi if "png" in formats else 0, html_dpi if "html" in formats else 0)
    pixels = raster.render(fig, drawn_dpi) if drawn_dpi else None
    palette = raster.commonest(pixels) if drawn_dpi else None
    same = drawn_dpi == map_dpi
    for fmt in ("png", "svg"):
        if fmt in formats:
            mapstyle.save_figure(fig, paths[fmt], dpi=map_dpi, pixels=pixels if same else None,
                                 palette=palette if same else None)
    if "html" not in formats:
        return None
    return mapstyle.figure_png_bytes(fig, html_dpi, pixels=pixels, drawn_dpi=drawn_dpi,
                                     palette=palette)


def _made_and_written(make, paths, options):
    """(page PNG bytes or None, what the map says of itself: the
    ``zaitaku_meta`` of :mod:`zaitaku.maps.mapstyle`'s maps, or {})."""
    # the maps share their legends, credit and names: measured once
    with labels.shared_text_metrics():
        fig = make()
        try:
            return write_map(fig, paths, **options), dict(getattr(fig, "zaitaku_meta", {}))
        finally:
            fig.clear()


def _draw(i):
    _, make, paths = _WORK["maps"][i]
    return _made_and_written(make, paths, _WORK["options"])


def draw_maps(maps, formats, map_dpi, html_dpi, jobs=None, meanwhile=None):
    """Draws maps, a list of (name, make, paths): make() returns the
    Figure, paths as for :func:`write_map`. ``meanwhile`` is called in this
    process while the workers draw (the report writes its tables). Returns
    {name: (page PNG bytes or None, the map's metadata)}, in the order of
    maps: its legend's entries, the labels it dropped or set with a leader
    line, and its count of overlapping labels (computed as it was drawn)."""
    global _WORK

    jobs = default_jobs() if jobs is None else max(1, int(jobs))
    options = dict(formats=formats, map_dpi=map_dpi, html_dpi=html_dpi)
    context = _fork() if jobs > 1 and len(maps) > 1 else None
    if context is None:
        pngs = {name: _made_and_written(make, paths, options) for name, make, paths in maps}
        if meanwhile is not None:
            meanwhile()
        return pngs
    _WORK = dict(maps=maps, options=options)
    try:
        with warnings.catch_warnings():
            # Python 3.12 warns about forking with other threads alive (a
            # progress bar's monitor): the workers only draw, taking none
            # of the locks those threads hold
            warnings.filterwarnings("ignore", category=DeprecationWarning,
                                    message=r".*fork\(\) may lead to deadlocks")
            pool = context.Pool(min(jobs, len(maps)))
        with pool:
            pending = pool.map_async(_draw, range(len(maps)), chunksize=1)
            if meanwhile is not None:
                meanwhile()
            images = pending.get()
    finally:
        _WORK = None
    return {name: png for (name, _, _), png in zip(maps, images)}


__all__ = ["draw_maps", "write_map", "default_jobs"]
