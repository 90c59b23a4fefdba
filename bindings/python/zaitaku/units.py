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


_TIME_UNITS = {"s": 1.0, "sec": 1.0, "min": 60.0, "h": 3600.0, "hr": 3600.0}
_TIME_PART = r"([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(hr|h|min|sec|s)"


def seconds(value, what="time"):
    """Seconds from a number (seconds) or a string with ``s``, ``min`` or
    ``h``; hours and minutes may be combined (``"1h30min"``).

    Examples
    --------
    >>> seconds("30min"), seconds("1h30min"), seconds("90 s"), seconds(600)
    (1800.0, 5400.0, 90.0, 600.0)
    """
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        result = float(value)
    else:
        text = str(value).strip().lower()
        parts = re.findall(r"\s*" + _TIME_PART + r"\s*", text)
        if not parts or re.fullmatch(r"(?:\s*" + _TIME_PART + r"\s*)+", text) is None:
            raise ValueError(f"{what} {value!r} is not a time: write e.g. '30min', '1h' or '1h30min'")
        units = [u for _, u in parts]
        if len(set(units)) != len(units):
            raise ValueError(f"{what} {value!r} repeats a unit")
        result = sum(float(n) * _TIME_UNITS[u] for n, u in parts)
    if not result > 0 or result != result or result == float("inf"):
        raise ValueError(f"{what} {value!r} must be greater than 0")
    return result


def threshold(value, what="threshold"):
    """A reach threshold as ``("distance", metres)`` or ``("time", seconds)``,
    from a string whose unit says which (``"16km"``, ``"30min"``).

    Examples
    --------
    >>> threshold("16km"), threshold("45min")
    (('distance', 16000.0), ('time', 2700.0))
    """
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        raise ValueError(f"{what} {value!r} needs a unit: write e.g. '16km' or '30min'")
    try:
        return "distance", metres(value, what)
    except ValueError:
        pass
    try:
        return "time", seconds(value, what)
    except ValueError:
        raise ValueError(f"{what} {value!r} is neither a distance nor a time: "
                         "write e.g. '16km' or '30min'") from None


def percent(share):
    """A share as a percentage that never reads 100.0 or 0.0 unless it is:
    a planner must see that 99.97 % is not everyone.

    Examples
    --------
    >>> percent(0.9997), percent(1.0), percent(0.0004), percent(float("nan"))
    ('>99.9', '100.0', '<0.1', '-')
    """
    if share is None or share != share:
        return "-"
    value = round(share * 100, 1)
    if value >= 100 and share < 1:
        return ">99.9"
    if value <= 0 and share > 0:
        return "<0.1"
    return f"{value:.1f}"
