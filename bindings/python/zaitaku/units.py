"""Distances written the way people write them: ``"16km"``, ``"500 m"``,
or a number of metres."""
import numbers
import re

_UNITS = {"m": 1.0, "km": 1000.0}


def metres(value, what="distance"):
    """Metres from a number (metres) or a string with ``m`` or ``km``.

    Examples
    --------
    >>> metres("16km"), metres("500 m"), metres(250)
    (16000.0, 500.0, 250.0)
    """
    if isinstance(value, numbers.Real) and not isinstance(value, bool):  # numpy numbers too
        result = float(value)
    else:
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(km|m)\s*", str(value),
                         re.IGNORECASE)
        if not m:
            raise ValueError(f"{what} {value!r} is not a distance: write e.g. '16km' or '500m'")
        result = float(m.group(1)) * _UNITS[m.group(2).lower()]
    if not result > 0 or result != result:
        raise ValueError(f"{what} {value!r} must be greater than 0")
    return result
