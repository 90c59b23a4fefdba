"""The numpydoc examples in zaitaku's docstrings run as doctests.

Each module of the package and its subpackages is found with pkgutil (so
modules added later are covered) and run through doctest.testmod; the examples must all pass, and at
least MIN_EXAMPLES must actually run, so that losing the examples (or the
finder silently skipping a module) fails too.
"""
import doctest
import importlib
import pkgutil
import warnings

import pytest

import zaitaku

# Modules that are scripts rather than library code: importing them runs
# something (the cffi build, the command line).
NOT_LIBRARY = {"zaitaku._build", "zaitaku.__main__"}

# Examples that run (+SKIP ones aside) when this test was written: 25
# outside zaitaku.maps.plot, 32 with it; a floor, so adding examples is free.
MIN_EXAMPLES = 25


def _modules():
    names = ["zaitaku"] + [m.name for m in pkgutil.walk_packages(zaitaku.__path__, "zaitaku.")]
    return [n for n in names if n not in NOT_LIBRARY and not n.endswith("._libcoverage")]


def _run(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    failures = []
    for test in finder.find(module, name):
        out = []
        with warnings.catch_warnings():
            # the sample has one unassigned cell on purpose (tested elsewhere)
            warnings.simplefilter("ignore", zaitaku.CoverageWarning)
            runner.run(test, out=out.append)
        failures.extend(out)
    return runner.summarize(verbose=False), failures


def test_modules_found():
    names = _modules()
    for expected in ("zaitaku", "zaitaku.analysis", "zaitaku.inputs", "zaitaku.mesh",
                     "zaitaku.units", "zaitaku.errors", "zaitaku.sample", "zaitaku.kinds",
                     "zaitaku.analysis.core", "zaitaku.analysis.build", "zaitaku.maps.plot",
                     "zaitaku.report.validation", "zaitaku.cli.commands", "zaitaku.outputs"):
        assert expected in names


@pytest.mark.parametrize("name", _modules())
def test_module_examples(name):
    try:
        results, failures = _run(name)
    except ModuleNotFoundError as e:
        if (e.name or "").startswith("zaitaku"):
            raise
        pytest.skip(f"{name} needs {e.name}")  # a third-party package that is not installed
    assert results.failed == 0, f"{name}: {results.failed} example(s) failed:\n" + "".join(failures)


def test_enough_examples_ran():
    attempted = 0
    for name in _modules():
        try:
            results, _ = _run(name)
        except ModuleNotFoundError as e:
            if (e.name or "").startswith("zaitaku"):
                raise
            continue
        attempted += results.attempted
    assert attempted >= MIN_EXAMPLES, attempted
