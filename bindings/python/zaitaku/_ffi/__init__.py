"""The cffi layer: the compiled module (``zaitaku._libcoverage``, built by
``zaitaku/_build.py`` from ``zaitaku/_cdef.h``) and :mod:`zaitaku._ffi.core`
(contexts, status checks that raise zaitaku's errors, tables crossing in
bulk). Nothing above it calls ``lib`` without going through ``core.call``."""
