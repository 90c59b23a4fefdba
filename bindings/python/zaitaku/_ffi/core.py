"""The bridge to libcoverage: contexts, calls, messages, progress, tables.

A libcoverage context must be used by one thread at a time and objects made
with it only with it. zaitaku gives every thread its own default context and
serialises calls on a context with a lock, so objects may be shared between
threads safely (calls on one context then take turns); cffi releases the GIL
during C calls, so analyses on different threads run in parallel.
"""
import logging
import os
import sys
import threading
import warnings
import weakref

import numpy as np

from .._libcoverage import ffi, lib
from ..errors import CancelledError, CoverageWarning, error_for

log = logging.getLogger("zaitaku")
_registry = {}  # context address -> weakref to Context, for the callbacks
_local = threading.local()


def _text(ptr):
    return ffi.string(ptr).decode("utf-8", "replace") if ptr != ffi.NULL else ""


class Context:
    """A libcoverage context (GEOS and PROJ handles, last error, handlers)."""

    def __init__(self):
        ptr = lib.cov_ctx_create()
        if ptr == ffi.NULL:
            raise MemoryError("cannot create a libcoverage context (GEOS or PROJ failed to start)")
        self.key = int(ffi.cast("uintptr_t", ptr))
        self.lock = threading.RLock()
        self.messages = []
        self.progress = None
        self.callback_error = None
        _registry[self.key] = weakref.ref(self)
        self.ptr = ffi.gc(ptr, _destroy_context)
        lib.cov_ctx_set_message_handler(self.ptr, lib._zt_on_message, ptr)

    def owns(self, ptr, destroy, borrowed=()):
        """Ties a C object's life to a destructor that keeps this context
        (whose GEOS handle its geometries need) and the objects it borrows
        alive until the object is gone, whatever order Python frees in."""
        return ffi.gc(ptr, lambda p, ctx=self, keep=tuple(borrowed): destroy(p))


def _destroy_context(ptr, registry=_registry, lib=lib, ffi=ffi):
    # bound as defaults: at interpreter exit module globals may be gone
    registry.pop(int(ffi.cast("uintptr_t", ptr)), None)
    lib.cov_ctx_destroy(ptr)


def context():
    """This thread's default context (made on first use)."""
    ctx = getattr(_local, "ctx", None)
    if ctx is None:
        ctx = _local.ctx = Context()
    return ctx


def _context_of(userdata):
    ref = _registry.get(int(ffi.cast("uintptr_t", userdata)))
    return ref() if ref else None


@ffi.def_extern()
def _zt_on_message(level, message, userdata):
    ctx = _context_of(userdata)
    if ctx is not None and level != lib.COV_MSG_ERROR:
        ctx.messages.append((level, _text(message)))


def _progress_failed(exc_type, exc_value, tb):
    ctx = getattr(_local, "calling", None)
    if ctx is not None:
        ctx.callback_error = exc_value
    return 1  # cancel the C call; the exception is raised when it returns


@ffi.def_extern(onerror=_progress_failed)
def _zt_on_progress(fraction, stage, userdata):
    ctx = _context_of(userdata)
    if ctx is not None and ctx.progress is not None:
        ctx.progress.update(fraction, _text(stage))
    return 0


class _Progress:
    """A tqdm bar shown only for calls that last (``delay``)."""

    def __init__(self, description):
        self.description = description
        self.bar = None

    def update(self, fraction, stage):
        if self.bar is None:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=100, desc=self.description, delay=0.5, leave=False,
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}")
        self.bar.set_postfix_str(stage, refresh=False)
        self.bar.update(max(0, int(fraction * 100) - self.bar.n))

    def close(self):
        if self.bar is not None:
            self.bar.close()


def show_progress():
    """Whether long calls show a progress bar (ZAITAKU_PROGRESS=0 turns it off)."""
    return os.environ.get("ZAITAKU_PROGRESS", "1") not in ("0", "false", "no")


def _caller_level():
    """The stack level of the first frame outside zaitaku, so that warnings
    point at the user's line."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "zaitaku":
        frame, level = frame.f_back, level + 1
    return level


def _emit(messages):
    for level, text in messages:
        if level == lib.COV_MSG_WARNING:
            warnings.warn(text, CoverageWarning, stacklevel=_caller_level())
        else:
            log.info(text)


def call(ctx, fn, *args, progress=None, returns="pointer"):
    """Calls ``fn(ctx.ptr, *args)`` under the context's lock, raises the
    matching exception on failure, and turns C warnings into Python
    warnings. ``returns`` is "pointer" (NULL means failure), "status"
    (non-zero means failure) or "value" (never fails by itself)."""
    with ctx.lock:
        lib.cov_clear_error(ctx.ptr)
        ctx.messages = []
        ctx.callback_error = None
        bar = _Progress(progress) if progress and show_progress() else None
        if bar is not None:
            ctx.progress = bar
            lib.cov_ctx_set_progress_handler(ctx.ptr, lib._zt_on_progress, ctx.ptr)
        _local.calling = ctx
        try:
            result = fn(ctx.ptr, *args)
        finally:
            _local.calling = None
            if bar is not None:
                lib.cov_ctx_set_progress_handler(ctx.ptr, ffi.NULL, ffi.NULL)
                ctx.progress = None
                bar.close()
        status = lib.cov_last_error(ctx.ptr)
        message = _text(lib.cov_last_message(ctx.ptr))
        messages, ctx.messages = ctx.messages, []
        pending = ctx.callback_error
    _emit(messages)
    failed = ((returns == "pointer" and result == ffi.NULL) or
              (returns == "status" and result != 0))
    if failed:
        if pending is not None:
            raise pending
        if status == lib.COV_OK:  # a failure the library did not describe
            status = result if returns == "status" else lib.COV_ERR_INTERNAL
            message = message or "libcoverage failed without a message"
        err = error_for(_text(lib.cov_status_name(status)), status, message)
        if isinstance(err, CancelledError) and pending is None:
            err = CancelledError(message, code=status, status="COV_ERR_CANCELLED")
        raise err
    return result


def cstrings(values, keep):
    """A ``const char *[]`` for Python strings (None -> NULL); the buffers
    are appended to ``keep``, which must outlive the call."""
    arr = ffi.new("const char *[]", max(len(values), 1))
    for i, v in enumerate(values):
        if v is None:
            arr[i] = ffi.NULL
        else:
            buf = ffi.new("char[]", encode(v))
            keep.append(buf)
            arr[i] = buf
    keep.append(arr)
    return arr


def doubles(values):
    """A C-contiguous float64 array and a ``const double *`` to it."""
    arr = np.ascontiguousarray(values, dtype=np.float64)
    return arr, ffi.cast("const double *", ffi.from_buffer(arr))


def encode(text):
    """UTF-8 bytes for C, or NULL; a NUL inside would silently cut the text
    short in C, so it is refused."""
    if text is None:
        return ffi.NULL
    data = str(text).encode("utf-8")
    if b"\0" in data:
        from ..errors import InvalidArgumentError

        raise InvalidArgumentError(f"{str(text)[:60]!r} contains a NUL character",
                                   code=lib.COV_ERR_ARG, status="COV_ERR_ARG")
    return data


def encode_path(path):
    """A file path as the bytes the file system holds (os.fsencode: a name
    that is not UTF-8 round-trips through surrogateescape, or is given as
    bytes); a NUL inside is refused as in :func:`encode`."""
    data = os.fsencode(path)
    if b"\0" in data:
        from ..errors import InvalidArgumentError

        raise InvalidArgumentError(f"path {os.fsdecode(data)[:60]!r} contains a NUL character",
                                   code=lib.COV_ERR_ARG, status="COV_ERR_ARG")
    return data


class Table:
    """A libcoverage result table (owned); converts to pandas/geopandas and
    writes CSV or shapefiles through the C writers."""

    def __init__(self, ctx, ptr):
        self.ctx = ctx
        self.ptr = ctx.owns(ptr, lib.cov_table_destroy)

    def __len__(self):
        return lib.cov_table_nrows(self.ptr)

    def _column(self, j, n):
        kind = lib.cov_table_column_type(self.ptr, j)
        if kind == lib.COV_COL_DOUBLE:
            return np.frombuffer(ffi.buffer(lib.cov_table_doubles(self.ptr, j), 8 * n),
                                 dtype=np.float64).copy() if n else np.empty(0)
        if kind == lib.COV_COL_INT:
            return np.frombuffer(ffi.buffer(lib.cov_table_ints(self.ptr, j), 8 * n),
                                 dtype=np.int64).copy() if n else np.empty(0, np.int64)
        return self._strings(j, n)

    def _strings(self, j, n):
        """String column j, from one call into C and one decoding (a NUL
        never takes part in an invalid UTF-8 sequence, so each string is
        replaced exactly as by itself)."""
        if n == 0:
            return []
        offsets = np.empty(n + 1, dtype=np.uintp)
        buf = call(self.ctx, lib.cov_table_strings_all, self.ptr, j,
                   ffi.cast("size_t *", ffi.from_buffer(offsets)))
        try:
            data = bytes(ffi.buffer(buf, int(offsets[n])))
        finally:
            lib.cov_free(buf)
        return data.decode("utf-8", "replace").split("\0")[:-1]

    def wkb(self):
        """Each row's geometry as WKB bytes, from one call into C."""
        n = len(self)
        offsets = np.empty(n + 1, dtype=np.uintp)
        buf = call(self.ctx, lib.cov_table_wkb_all, self.ptr,
                   ffi.cast("size_t *", ffi.from_buffer(offsets)))
        try:
            data = bytes(ffi.buffer(buf, int(offsets[n])))
        finally:
            lib.cov_free(buf)
        o = offsets.tolist()
        return [data[o[i]:o[i + 1]] for i in range(n)]

    def to_frame(self, geometry=True):
        """A DataFrame, or a GeoDataFrame (EPSG:6668) when the table has
        geometry and ``geometry`` is true."""
        import pandas as pd

        with self.ctx.lock:
            n = len(self)
            names = [_text(lib.cov_table_column_name(self.ptr, j))
                     for j in range(lib.cov_table_ncols(self.ptr))]
            frame = pd.DataFrame({name: self._column(j, n) for j, name in enumerate(names)})
        if not (geometry and lib.cov_table_has_geometry(self.ptr)):
            return frame
        import geopandas as gpd
        import shapely

        geoms = shapely.from_wkb(self.wkb()) if n else []
        return gpd.GeoDataFrame(frame, geometry=list(geoms), crs="EPSG:6668")

    def write_csv(self, path):
        call(self.ctx, lib.cov_table_write_csv, self.ptr, encode_path(path), returns="status")

    def write_shp(self, path):
        call(self.ctx, lib.cov_table_write_shp, self.ptr, encode_path(path), returns="status")


#: The version of the libcoverage zaitaku was built with.
libcoverage_version = ffi.string(lib.cov_version()).decode()
