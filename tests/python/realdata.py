"""What the tests on the real public data share: where the data are
(``COV_SHARED_DATA``, default ``../shared/data`` beside the project), a skip
with a clear message when a file is absent, and a call with zaitaku's
warnings silenced (the tests check the readers' reports instead)."""
import os
import warnings
from pathlib import Path

import pytest

import zaitaku

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("COV_SHARED_DATA") or ROOT.parent / "shared" / "data")


def real(path):
    """path, or a skip naming it when the real data are not there."""
    if not Path(path).exists():
        pytest.skip(f"real data not found: {path} (set COV_SHARED_DATA)")
    return path


def quiet(fn, *args, **kwargs):
    """fn(*args, **kwargs) with zaitaku's CoverageWarnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", zaitaku.CoverageWarning)
        return fn(*args, **kwargs)
