"""Reach thresholds as people write them: times for the road network, and
which of distance or time a threshold is."""
import numpy as np
import pytest

from zaitaku.units import seconds, threshold


@pytest.mark.parametrize("text, expected", [
    ("30min", 30 * 60.0), ("30 min", 1800.0), ("1h", 3600.0), ("1hr", 3600.0),
    ("1.5h", 5400.0), ("1h30min", 5400.0), ("1h 30min 15s", 3600 + 1800 + 15.0),
    ("90s", 90.0), ("90 sec", 90.0), (" 2H ", 7200.0), ("1e1min", 600.0)])
def test_time_strings(text, expected):
    assert seconds(text) == expected


def test_time_numbers_are_seconds():
    assert seconds(600) == 600.0
    assert seconds(np.float32(2.5)) == 2.5


@pytest.mark.parametrize("bad", ["30", "30m", "16km", "min", "", "1h1h", "-5min", "0min",
                                 "30 minutes", "1h-30min", True, "nan s"])
def test_bad_times_name_the_value(bad):
    with pytest.raises(ValueError, match="max_time"):
        seconds(bad, "max_time")


@pytest.mark.parametrize("text, expected", [
    ("16km", ("distance", 16000.0)), ("500 m", ("distance", 500.0)),
    ("30min", ("time", 1800.0)), ("1h", ("time", 3600.0))])
def test_threshold_kind_follows_the_unit(text, expected):
    assert threshold(text) == expected


@pytest.mark.parametrize("bad", [16000, "16", "16 furlongs", "0km"])
def test_threshold_needs_a_unit(bad):
    with pytest.raises(ValueError, match="threshold"):
        threshold(bad)
