"""JIS X 0410 regional mesh codes (地域メッシュ)."""
from ._ffi import core as _core
from ._ffi.core import call, encode
from ._libcoverage import ffi, lib

LEVELS = {"80km": 1, "10km": 2, "1km": 3, "500m": 4, "250m": 5}


def decode_mesh(code):
    """The bounds of a mesh cell, ``(west, south, east, north)`` in degrees.

    Examples
    --------
    >>> decode_mesh("5339")
    (139.0, 35.333333333333336, 140.0, 36.0)
    """
    cell = ffi.new("cov_mesh_cell *")
    call(_core.context(), lib.cov_mesh_decode, encode(code), cell, returns="status")
    return (cell.west_lon_degree, cell.south_lat_degree, cell.east_lon_degree,
            cell.north_lat_degree)


def is_mesh_code(code):
    """Whether ``code`` is a JIS X 0410 mesh code libcoverage decodes (80 km
    to 250 m levels, digits in range, a cell over Japan's grid): the one
    validation, for readers that reject a row rather than fail.

    Examples
    --------
    >>> is_mesh_code("53394611"), is_mesh_code("533986"), is_mesh_code("9999")
    (True, False, False)
    """
    cell = ffi.new("cov_mesh_cell *")
    ctx = _core.context()
    with ctx.lock:
        return lib.cov_mesh_decode(ctx.ptr, encode(str(code)), cell) == lib.COV_OK


def encode_mesh(lon, lat, level="1km"):
    """The code of the cell of ``level`` ("80km", "10km", "1km", "500m",
    "250m") containing the point.

    Examples
    --------
    >>> encode_mesh(139.7454, 35.6586, "1km")
    '53393599'
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    out = ffi.new("char[16]")
    call(_core.context(), lib.cov_mesh_encode, float(lon), float(lat), LEVELS[level], out,
         returns="status")
    return ffi.string(out).decode()
