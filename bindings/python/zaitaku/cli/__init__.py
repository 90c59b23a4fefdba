"""The ``zaitaku`` command line (``python -m zaitaku``, the ``zaitaku``
console script): ``demo``, ``coverage`` and ``report`` in
:mod:`zaitaku.cli.commands`, ``check`` and ``plan`` in
:mod:`zaitaku.cli.planning`, what they share in :mod:`zaitaku.cli.common`."""
from .common import display_width, percent
from .commands import build_parser, coverage_table, main

__all__ = ["main", "build_parser", "coverage_table", "display_width", "percent"]
