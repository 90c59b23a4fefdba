"""The report's forecast section (``[forecast]``): coverage of the demand as
read beside the same demand scaled per region by a forecast factor
(:meth:`zaitaku.Analysis.scale_demand`, :func:`zaitaku.compare_coverage`;
docs/forecast.md)."""
from . import tables as T
from .context import Section
from .schema import ConfigError

_MEASURES = {"home_visits": "在宅医療（訪問診療）のレセプト件数/月", "outpatient": "外来のレセプト件数/月",
             "population": "人口"}


def read_factors(cfg):
    """The factor table ``[forecast]`` names: MHLW's forecast read by
    :func:`zaitaku.official.read_demand_forecast`, or the user's table."""
    import warnings

    from .. import official
    from ..errors import CoverageError, CoverageWarning

    fc, path = cfg["forecast"], cfg["paths"]["forecast.path"]
    if fc["format"] == "table":
        return path
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CoverageWarning)
            return official.read_demand_forecast(path, fc["prefecture"], measure=fc["measure"],
                                                 base_year=int(fc["base_year"]),
                                                 year=int(fc["year"]))
    except (CoverageError, ValueError) as exc:
        raise ConfigError(cfg["file"], "forecast.path", "MHLW's 構想区域別の医療需要推計 as published "
                          "(xlsx, its CSVs or their folder)", got=f"{path.name}: {exc}") from None


def forecast(ctx):
    """Per region and kind: the demand within reach as read and as forecast,
    with the change of the demand out of reach."""
    from ..analysis.forecast import compare_coverage
    from ..errors import CoverageError

    cfg = ctx.config
    fc = cfg.get("forecast") if cfg is not None else None
    if not fc:
        return None
    base, later_name = fc["base_name"], fc["name"] or f"{int(fc['year'])}年"
    factors = read_factors(cfg)
    try:
        later = ctx.analysis.scale_demand(factors, weight=ctx.weight,
                                          code_field=fc["code_field"] if fc["format"] == "table"
                                          else None,
                                          factor_field=fc["factor_field"] if fc["format"] == "table"
                                          else "factor")
    except (CoverageError, KeyError, ValueError) as exc:
        raise ConfigError(cfg["file"], "forecast.path", "a factor for every region of the "
                          "report", got=str(exc)) from None
    ctx.store["forecast_analysis"] = ((base, ctx.analysis), (later_name, later))
    table = compare_coverage({base: ctx.analysis, later_name: later}, weight=ctx.weight)
    table = table[table.kind.isin(ctx.kinds)].reset_index(drop=True)
    suffix = {f"_{base}": "_base", f"_{later_name}": "_later"}
    columns = {}
    for c in table.columns:
        for old, new in suffix.items():
            if c.endswith(old):
                columns[c] = c[:-len(old)] + new
    # what a reader compares: demand and demand out of reach then and later, the factor and
    # the change; the covered columns follow from these (all in compare_coverage's own table)
    table = table.rename(columns=columns)[[
        "region_id", "region_name", "kind", "factor", "demand_total_base", "demand_uncovered_base",
        "share_covered_base", "demand_total_later", "demand_uncovered_later",
        "share_covered_later", "change_demand_uncovered"]]
    for c in ("share_covered_base", "share_covered_later"):
        table[c] = table[c].round(9)
    T.register_table("forecast", f"将来の需要との比較（{base}・{later_name}）", {
        "demand_total_base": f"需要（{base}）", "demand_covered_base": f"圏内（{base}）",
        "demand_uncovered_base": f"圏外（{base}）", "share_covered_base": f"圏内の割合（{base}）",
        "demand_total_later": f"需要（{later_name}）", "demand_covered_later": f"圏内（{later_name}）",
        "demand_uncovered_later": f"圏外（{later_name}）",
        "share_covered_later": f"圏内の割合（{later_name}）", "factor": "伸び率",
        "change_demand_covered": "圏内の増減", "change_demand_uncovered": "圏外の増減",
        "change_share_covered": "割合の増減"})
    if fc["format"] == "mhlw":
        what = (f"{later_name}の需要は、各メッシュの需要（{T.weight_text(ctx.weight) or '重み'}）に、その圏域の"
                f"{_MEASURES[fc['measure']]}の {int(fc['base_year'])} 年度から {int(fc['year'])} 年度への"
                "伸び率（厚生労働省「構想区域別の医療需要推計」）を掛けたものです。人口の推計ではなく、"
                "在宅医療の需要の大きさを同じ単位で表す指数です。")
    else:
        what = f"{later_name}の需要は、各メッシュの需要に、設定した表の圏域ごとの伸び率を掛けたものです。"
    text = (what + "\n\n同じ圏域のメッシュには同じ伸び率を掛けるので、圏域ごとの圏内の割合は変わりません。"
            "変わるのは圏外に残る需要の大きさと、全体（all）の割合です。施設の配置は現在のままです。")
    return Section(key="forecast", title=T.TABLE_TITLES["forecast"], text=text, table=table)
