"""JIS X 0410 regional mesh codes (地域メッシュ)."""
from . import _core
from ._core import call, encode
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
