"""zaitaku: how far home-care doctors and visiting nurses reach across
Japan's home-medical-care areas (在宅医療圏), on the libcoverage C library.

Examples
--------
>>> import zaitaku
>>> an = zaitaku.Analysis.sample(radius="16km")
>>> cov = an.coverage()
>>> sorted(cov.region_id.unique())
['9901', '9902', '9903']
"""
from ._libcoverage import ffi as _ffi, lib as _lib
from .analysis import DOCTOR_AND_NURSING, DOCTOR_ANY, Analysis
from .errors import (CoverageError, CoverageWarning, CRSError, DuplicateIdError, EmptyInputError,
                     EncodingError, FieldError, FileFormatError, GeometryError, InputFileError,
                     InternalError, InvalidArgumentError, InvalidValueError, MeshCodeError,
                     CancelledError)
from .inputs import Demand, Facilities, Regions, read_demand, read_facilities, read_regions
from .mesh import decode_mesh, encode_mesh
from .sample import sample_dir, sample_path
from .units import metres

from . import planning  # noqa: E402  (policy checks, designation, 2SFCA)

__version__ = "0.2.0"
libcoverage_version = _ffi.string(_lib.cov_version()).decode()

__all__ = [
    "Analysis", "Regions", "Facilities", "Demand", "read_regions", "read_facilities",
    "read_demand", "decode_mesh", "encode_mesh", "sample_dir", "sample_path", "metres",
    "DOCTOR_ANY", "DOCTOR_AND_NURSING", "CoverageError", "CoverageWarning", "CRSError",
    "DuplicateIdError", "EmptyInputError", "EncodingError", "FieldError", "FileFormatError",
    "GeometryError", "InputFileError", "InternalError", "InvalidArgumentError",
    "InvalidValueError", "MeshCodeError", "CancelledError", "libcoverage_version",
    "planning",
]

# official-data readers (issue 6): zaitaku.official, also importable as a module
from . import official  # noqa: E402
__all__ += ["official"]

# Road network (issue 4)
from .network import Network, read_network  # noqa: E402
from .units import seconds  # noqa: E402

__all__ += ["Network", "read_network", "seconds"]
from .network import road_grid, sample_road_grid  # noqa: E402

__all__ += ["road_grid", "sample_road_grid"]

# the reserved parts of the report configuration ([roads], [winter],
# [planning], travel.model road_distance / road_time) are available
from . import config as _config, network as _network  # noqa: E402

for _name, _provider in (("roads", _network), ("winter", _network), ("road_distance", _network),
                         ("road_time", _network), ("planning", planning)):
    _config.register_feature(_name, _provider)
del _name, _provider
