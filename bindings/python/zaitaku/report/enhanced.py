"""The report's section on enhanced doctors (``[analysis] enhanced_kinds``):
per region, the demand within reach of a facility of any of those kinds
(機能強化型の在支診・在支病, single or network type), counted like the
report's doctor_any: one more Analysis whose doctors are those kinds."""
import numpy as np
import pandas as pd

from . import tables as T
from .context import Section
from .schema import ConfigError

T.register_table("enhanced_coverage", "機能強化型の在支診・在支病からの到達", {
    "n_facilities": "機能強化型の施設数", "demand_total": "需要", "demand_covered": "圏内",
    "share_covered": "圏内の割合"})


def enhanced(ctx):
    """Per region (and all regions): facilities of the enhanced kinds, demand,
    demand within reach of one of them and its share; None without
    ``enhanced_kinds``."""
    from ..errors import InvalidArgumentError

    cfg = ctx.config
    kinds = (cfg.get("analysis") or {}).get("enhanced_kinds") if cfg is not None else None
    if not kinds:
        return None
    an = ctx.analysis
    try:  # Analysis refuses kinds no facility has, naming those it has
        other = an.with_kinds(doctor_kinds=kinds)
    except InvalidArgumentError as exc:
        raise ConfigError(cfg["file"], "analysis.enhanced_kinds", "kinds some facility has",
                          got=str(exc)) from None
    cov = other.coverage(weight=ctx.weight, area=False)
    doc = cov[cov.kind == "doctor_any"]
    n = (cov[cov.kind.isin(kinds)].groupby("region_id", sort=False).n_facilities.sum()
         .reindex(doc.region_id).fillna(0).astype(int).to_numpy())
    table = pd.DataFrame({"region_id": doc.region_id.to_numpy(), "region_name": doc.region_name.to_numpy(),
                          "n_facilities": n, "demand_total": doc.demand_total.to_numpy(),
                          "demand_covered": doc.demand_covered.to_numpy()})
    total = pd.DataFrame({"region_id": ["all"], "region_name": ["全体"],
                          "n_facilities": [int(table.n_facilities.sum())],
                          "demand_total": [table.demand_total.sum()],
                          "demand_covered": [table.demand_covered.sum()]})
    table = pd.concat([table, total], ignore_index=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["share_covered"] = np.where(table.demand_total > 0,
                                          table.demand_covered / table.demand_total, np.nan)
    names = "・".join(T.kind_name(k) for k in kinds)
    text = (f"{names}のどれかが {an.threshold_text()} 以内にある需要（{T.weight_text(ctx.weight) or '重み'}）です。"
            "機能強化型は在宅医療を担う医師が多く、緊急の往診と看取りの実績がある在支診・在支病で、"
            "24 時間の往診体制の支えになります。圏域の外の施設も、届く範囲にあれば数えます。")
    return Section(key="enhanced_coverage", title=T.TABLE_TITLES["enhanced_coverage"], text=text,
                   table=table)
