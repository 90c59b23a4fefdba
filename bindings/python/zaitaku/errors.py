"""Exceptions and warnings raised by zaitaku.

Every error coming from libcoverage is a :class:`CoverageError` that keeps
the C status in ``.code`` and its name in ``.status`` (e.g. ``"COV_ERR_IO"``),
and also derives from the matching builtin, so ``except ValueError`` or
``except OSError`` work as usual (a missing input file is an
:class:`InputFileError`, an ``OSError``).

Examples
--------
>>> import zaitaku
>>> try:
...     zaitaku.decode_mesh("53A9")
... except ValueError as e:
...     print(type(e).__name__, e.status)
MeshCodeError COV_ERR_MESH
"""


class CoverageError(Exception):
    """An error reported by libcoverage (or by zaitaku on its behalf)."""

    def __init__(self, message, code=None, status=None):
        super().__init__(message)
        self.code = code
        self.status = status


class OutOfMemoryError(CoverageError, MemoryError):
    """COV_ERR_NOMEM: the library ran out of memory."""


class InvalidArgumentError(CoverageError, ValueError):
    """COV_ERR_ARG: an argument is missing or out of range."""


class CancelledError(CoverageError, RuntimeError):
    """COV_ERR_CANCELLED: the call was cancelled (e.g. by Ctrl-C)."""


class InputFileError(CoverageError, OSError):
    """COV_ERR_IO: a file cannot be opened, read or written."""


class FileFormatError(CoverageError, ValueError):
    """COV_ERR_FORMAT: a file is malformed."""


class FieldError(CoverageError, LookupError):
    """COV_ERR_FIELD: a named field or column does not exist."""


class InvalidValueError(CoverageError, ValueError):
    """COV_ERR_VALUE: a record holds an invalid value."""


class EncodingError(CoverageError, UnicodeError):
    """COV_ERR_ENCODING: text cannot be decoded."""


class MeshCodeError(InvalidValueError):
    """COV_ERR_MESH: a malformed JIS X 0410 mesh code."""


class EmptyInputError(InvalidValueError):
    """COV_ERR_EMPTY: the input has no usable records."""


class DuplicateIdError(InvalidValueError):
    """COV_ERR_DUPLICATE: an identifier occurs twice."""


class CRSError(CoverageError, ValueError):
    """COV_ERR_CRS: unknown CRS or failed coordinate transformation."""


class GeometryError(CoverageError, ValueError):
    """COV_ERR_GEOMETRY: invalid geometry or a failed geometry operation."""


class InternalError(CoverageError, RuntimeError):
    """COV_ERR_INTERNAL: a bug; please report it with the message."""


class CoverageWarning(UserWarning):
    """A warning from libcoverage: the result is valid but you should know
    (e.g. demand units outside every region, repaired polygons)."""


_BY_STATUS = {
    "COV_ERR_NOMEM": OutOfMemoryError,
    "COV_ERR_ARG": InvalidArgumentError,
    "COV_ERR_CANCELLED": CancelledError,
    "COV_ERR_IO": InputFileError,
    "COV_ERR_FORMAT": FileFormatError,
    "COV_ERR_FIELD": FieldError,
    "COV_ERR_VALUE": InvalidValueError,
    "COV_ERR_ENCODING": EncodingError,
    "COV_ERR_MESH": MeshCodeError,
    "COV_ERR_EMPTY": EmptyInputError,
    "COV_ERR_DUPLICATE": DuplicateIdError,
    "COV_ERR_CRS": CRSError,
    "COV_ERR_GEOMETRY": GeometryError,
    "COV_ERR_INTERNAL": InternalError,
}


def error_for(status_name, code, message):
    """The exception for a C status (by name), carrying code and message."""
    cls = _BY_STATUS.get(status_name, CoverageError)
    return cls(message, code=code, status=status_name)
