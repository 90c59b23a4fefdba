"""zaitaku: how far home-care doctors and visiting nurses reach across
Japan's home-medical-care areas (在宅医療圏), on the libcoverage C library.

The package is built in floors, each importing only those below it
(``tests/python/test_layers.py`` enforces it; see docs/architecture.md):
vocabulary (errors, units, kinds) < the cffi layer (_ffi) < outputs and
readers (inputs, mesh, sample, network) < maps < analysis < planning <
official < report < cli. ``import zaitaku`` loads the analysis and its
readers; planning, official, maps, report and cli load when first used
(``zaitaku.planning``, ``from zaitaku import official``, ...).

Examples
--------
>>> import zaitaku
>>> an = zaitaku.Analysis.sample(radius="16km")
>>> cov = an.coverage()
>>> sorted(cov.region_id.unique())
['9901', '9902', '9903']
"""
import importlib

from ._ffi.core import libcoverage_version
from ._version import __version__
from .analysis import DOCTOR_AND_NURSING, DOCTOR_ANY, Analysis, compare_coverage
from .analysis.compare import Comparison, compare
from .errors import (CancelledError, CoverageError, CoverageWarning, CRSError, DuplicateIdError,
                     EmptyInputError, EncodingError, FieldError, FileFormatError, GeometryError,
                     InputFileError, InternalError, InvalidArgumentError, InvalidValueError,
                     MeshCodeError)
from .inputs import Demand, Facilities, Regions, read_demand, read_facilities, read_regions
from .mesh import decode_mesh, encode_mesh
from .network import Network, read_network, road_grid, sample_road_grid
from .sample import sample_dir, sample_path
from .units import metres, seconds

# subpackages loaded on first use (PEP 562): matplotlib, openpyxl, the
# official readers and the command line cost nothing until asked for
_LAZY = ("planning", "official", "maps", "report", "cli", "outputs", "kinds")

__all__ = [
    "Analysis", "Regions", "Facilities", "Demand", "read_regions", "read_facilities",
    "read_demand", "decode_mesh", "encode_mesh", "sample_dir", "sample_path", "metres",
    "DOCTOR_ANY", "DOCTOR_AND_NURSING", "CoverageError", "CoverageWarning", "CRSError",
    "DuplicateIdError", "EmptyInputError", "EncodingError", "FieldError", "FileFormatError",
    "GeometryError", "InputFileError", "InternalError", "InvalidArgumentError",
    "InvalidValueError", "MeshCodeError", "CancelledError", "libcoverage_version",
    "planning", "official", "Network", "read_network", "seconds", "road_grid",
    "sample_road_grid", "compare_coverage", "compare", "Comparison",
]


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'zaitaku' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
