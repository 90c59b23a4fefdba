"""``zaitaku coverage`` with demand of another year (issue 13): the options
that scale demand by a factor per region (a table of your own, or MHLW's
構想区域別の医療需要推計), and the two outputs they add:
``coverage_compare.csv`` (coverage now and then, side by side, see
:func:`zaitaku.compare_coverage`) and ``demand_factors.csv`` (the factor each
region's demand was scaled by)."""
import argparse
from pathlib import Path

from ..analysis.forecast import CODE_FIELDS, NOTE_MOVED, compare_coverage
from ..outputs import read_csv
from ..units import percent

MEASURES = ("home_visits", "outpatient", "population")


def add_forecast_options(p):
    """The option group of scaled demand, on the coverage command's parser."""
    g = p.add_argument_group(
        "demand of another year (coverage now and then, side by side)",
        "Each demand unit's weight is multiplied by the factor of its region; the outputs "
        "gain coverage_compare.csv and demand_factors.csv. One factor per region leaves the "
        "region's share covered as it was: what changes is the demand not covered, and the "
        "share of all regions together.")
    src = g.add_mutually_exclusive_group()
    src.add_argument("--demand-factors", metavar="CSV",
                     help="a factor per region code (UTF-8 or CP932; columns: see "
                          "--factors-code, --factors-value)")
    src.add_argument("--forecast", metavar="PATH",
                     help="MHLW's 構想区域別の医療需要推計 (001728462.xlsx, or its tidy "
                          "demand_forecast.csv / demand_population.csv): factor per "
                          "二次医療圏 code")
    g.add_argument("--factors-code", metavar="COL",
                   help="code column of --demand-factors (default: the first of "
                        f"{', '.join(CODE_FIELDS)})")
    g.add_argument("--factors-value", metavar="COL", default="factor",
                   help="factor column of --demand-factors (default: factor)")
    g.add_argument("--factors-by-input", action="store_true",
                   help="the codes are ids of --regions as read (e.g. municipalities), not of "
                        "the regions after --regions-map")
    g.add_argument("--factors-default", metavar="F", type=float,
                   help="factor of regions the table lacks (default: such a region is an error)")
    g.add_argument("--forecast-measure", choices=MEASURES, default="home_visits",
                   help="what grows: 在宅（訪問診療） receipts (default), 外来 receipts or "
                        "population")
    g.add_argument("--forecast-year", metavar="YEAR", type=int, default=2040,
                   help="the year compared (default: 2040)")
    g.add_argument("--forecast-base-year", metavar="YEAR", type=int, default=2024,
                   help="the year the factor is relative to (default: 2024)")
    g.add_argument("--scenario-names", metavar="NOW,THEN", type=_names,
                   help="column suffixes of coverage_compare.csv (default: base,scaled, or "
                        "base,YEAR with --forecast)")


def _names(text):
    names = [n.strip() for n in text.split(",")]
    if len(names) != 2 or not all(names) or names[0] == names[1]:
        raise argparse.ArgumentTypeError("give two different names, e.g. 2025,2040")
    return names


def check_forecast_args(args):
    """Combinations argparse cannot express (before any reading)."""
    given = getattr(args, "demand_factors", None) or getattr(args, "forecast", None)
    if given is None:
        used = [o for o, v in (("--factors-code", args.factors_code),
                               ("--factors-by-input", args.factors_by_input),
                               ("--factors-default", args.factors_default),
                               ("--scenario-names", args.scenario_names)) if v]
        if used:
            raise ValueError(f"{', '.join(used)} need(s) --demand-factors or --forecast")
        return
    option = "--demand-factors" if args.demand_factors else "--forecast"
    if not Path(given).exists():
        raise FileNotFoundError(f"{option} {given}: does not exist")
    if args.forecast and args.factors_code:
        raise ValueError("--factors-code is for --demand-factors (--forecast has area_code)")


def forecast_outputs(args, an, radius=None):
    """``{file name: DataFrame}`` of the scaled-demand outputs, or {} when
    no factors were given; a line for the terminal in ``.summary``."""
    if not (getattr(args, "demand_factors", None) or getattr(args, "forecast", None)):
        return {}
    check_forecast_args(args)
    if args.forecast:
        from ..official import read_demand_forecast

        factors = read_demand_forecast(args.forecast, measure=args.forecast_measure,
                                       base_year=args.forecast_base_year,
                                       year=args.forecast_year)
        names = args.scenario_names or ["base", str(args.forecast_year)]
        code = None
    else:
        factors, code = args.demand_factors, args.factors_code
        names = args.scenario_names or ["base", "scaled"]
    by = None
    if args.factors_by_input:
        from ..analysis.build import build_inputs

        by = build_inputs(_regions_spec(args), an.facilities, an.demand)[0]
    later = an.scale_demand(factors, by=by, default=args.factors_default, code_field=code,
                            factor_field="factor" if args.forecast else args.factors_value)
    cmp = compare_coverage({names[0]: an, names[1]: later}, radius=radius, weight=args.weight)
    # read alone: what both scenarios count
    return {"coverage_compare.csv": an.labelled(cmp, radius, args.weight),
            "demand_factors.csv": later.demand_factors}


def _regions_spec(args):
    from .common import _crs_for

    return dict(path=args.regions, id_field=args.region_id, name_field=args.region_name,
                crs=_crs_for(args.regions, args.regions_crs, args.crs))


def _describe_compare(path, radius_m):
    cmp = read_csv(path, dtype={"region_id": str}, keep_default_na=False,
                   na_values=["", "nan", "NaN"])
    shares = [c for c in cmp.columns if c.startswith("share_covered_")]
    a, b = shares[0][len("share_covered_"):], shares[-1][len("share_covered_"):]
    rows = cmp[cmp.region_id == "all"].set_index("kind")
    parts = []
    for kind in ("doctor_any", "nursing", "doctor_and_nursing"):
        if kind in rows.index:
            r = rows.loc[kind]
            parts.append(f"{kind} {percent(r[shares[0]])}% -> {percent(r[shares[-1]])}%, "
                         f"not covered {r[f'demand_uncovered_{a}']:,.0f} -> "
                         f"{r[f'demand_uncovered_{b}']:,.0f}")
    moved = (cmp.note == NOTE_MOVED).any()
    return (f"{len(cmp)} rows, {a} against {b} (all regions: " + "; ".join(parts) + ")"
            + ("" if moved else "; one factor per region keeps its share"))


def _describe_factors(path, radius_m):
    f = read_csv(path, dtype={"region_id": str})
    return (f"factor per region ({len(f)} regions, {f.factor.min():.3g} to "
            f"{f.factor.max():.3g}) and units scaled")


DESCRIBE = {"coverage_compare.csv": _describe_compare, "demand_factors.csv": _describe_factors}
