"""The price–quality mechanism of price-frontier: is the strongest product dearer (and
slower), and does usage follow the price–quality frontier?

Why it needs optional fields: list prices alone cannot say whether stronger products cost
more or whether users reward value; that takes a quality score, a speed and a usage share
per product, each sourced. Until enough are recorded the mechanism is not read, and the
missing fields are named. Arithmetic: :func:`narrowgate.models.tokens.value_frontier`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from narrowgate.evaluate.common import figure, text
from narrowgate.evaluate.kinds.price_table import PriceFrontierParams, ProductPrice
from narrowgate.evaluate.verdict import Figure, MissingData, Verdict, WatchItem
from narrowgate.models.price_table import blend, priced
from narrowgate.models.tokens import Offer, value_frontier
from narrowgate.thesis.schema import LocalizedText


@dataclass
class MechanismReading:
    verdict: Verdict
    figures: list[Figure]
    watch: list[WatchItem]
    summary: LocalizedText
    frontier: list[ProductPrice]


def quality_value(p: ProductPrice) -> float:
    assert p.quality is not None  # callers filter on it
    return p.quality.value


def decide_mechanism(params: PriceFrontierParams, as_of: date) -> MechanismReading | None:
    """The price–quality reading, or None while the sourced figures are too few.

    Checks: (1) at least ``min_top_used_near_frontier`` of the ``top_used`` most-used
    scored products are on or within ``near_frontier_pct`` of the price–quality frontier;
    (2) the strongest product (dearest among equals) is not the most used; (3) Spearman
    rho(quality, blended price) ≥ ``min_quality_price_corr``; (4) when speeds are sourced
    for enough products, rho(quality, speed) ≤ −``min_quality_price_corr``.
    Supported when all pass, contradicted when (1) and (2) both fail, else mixed.
    """
    scored = {p.name: p for p in priced(params, as_of) if p.quality}
    offers = [Offer(p.name, blend(p, params), quality_value(p),
                    p.usage_share.value if p.usage_share else None,
                    p.speed.value if p.speed else None) for p in scored.values()]
    if (len(offers) < params.min_products_with_quality
            or sum(o.usage_share is not None for o in offers) < params.top_used):
        return None
    vf = value_frontier(offers, params.top_used, params.near_frontier_pct)
    rho, rho_speed = vf.rho_price, vf.rho_speed
    checks = {"top_used_near_frontier": vf.near_share >= params.min_top_used_near_frontier,
              "strongest_not_most_used": vf.strongest != vf.top_used[0],
              "stronger_is_dearer": rho is not None and rho >= params.min_quality_price_corr}
    if vf.n_speed >= params.min_products_with_quality and rho_speed is not None:
        checks["stronger_is_slower"] = rho_speed <= -params.min_quality_price_corr
    if all(checks.values()):
        verdict = Verdict.SUPPORTED
    elif not checks["top_used_near_frontier"] and not checks["strongest_not_most_used"]:
        verdict = Verdict.CONTRADICTED
    else:
        verdict = Verdict.MIXED
    first = next(iter(scored.values())).quality
    bench = first.benchmark if first else ""
    on, n_top, most = ", ".join(vf.frontier), len(vf.top_used), vf.top_used[0]
    figures = [
        figure("quality_frontier", f"价格–质量前沿({bench})", f"price–quality frontier ({bench})",
               on, "products", decisive=True),
        figure("top_used_near_frontier", f"用量前 {n_top} 名中位于前沿附近的比例",
               f"share of the {n_top} most used on/near the frontier", round(vf.near_share, 3),
               f"fraction (near = within {params.near_frontier_pct:g}% of the best quality "
               "at that price)", decisive=True),
        figure("strongest_product", "最强产品", "strongest product", vf.strongest, "product"),
        figure("most_used_product", "用量最高产品", "most used product", most, "product",
               decisive=True),
        figure("quality_price_rho", "质量与价格的秩相关", "Spearman rho(quality, blended price)",
               None if rho is None else round(rho, 3), "rho", decisive=True),
        figure("quality_speed_rho", "质量与速度的秩相关",
               f"Spearman rho(quality, {params.speed_unit})",
               None if rho_speed is None else round(rho_speed, 3), f"rho ({vf.n_speed} products)"),
        *(figure(f"check_{k}", k, k.replace("_", " "), "pass" if v else "fail", "check")
          for k, v in checks.items()),
    ]
    flip = Verdict.MIXED if verdict is Verdict.SUPPORTED else Verdict.SUPPORTED
    watch = [WatchItem(label=text("用量前列位于前沿附近的比例", "most used on/near the frontier"),
                       current=round(vf.near_share, 3), unit="fraction", flips_to=flip,
                       threshold=params.min_top_used_near_frontier)]
    if rho is not None:
        watch.append(WatchItem(label=text("质量–价格秩相关", "rho(quality, price)"),
                               current=round(rho, 3), threshold=params.min_quality_price_corr,
                               unit="rho", flips_to=flip))
    failed = [k for k, v in checks.items() if not v] or ["none"]
    summary = text(
        f"价格–质量前沿({bench}):{'、'.join(vf.frontier)}。用量前 {n_top} 名中 "
        f"{vf.near_share:.0%} 在前沿附近;最强 {vf.strongest},用量最高 {most}。"
        f"未通过的检验:{'、'.join(failed)}。",
        f"Price–quality frontier ({bench}): {on}. {vf.near_share:.0%} of the {n_top} most "
        f"used sit on or near it; strongest {vf.strongest}, most used {most}. "
        f"Failed checks: {', '.join(failed)}.")
    return MechanismReading(verdict, figures, watch, summary,
                            [scored[n] for n in vf.frontier])


def mechanism_missing(params: PriceFrontierParams, as_of: date) -> list[MissingData]:
    """The per-product figures still too few, and the params fields that would add them."""
    offered = priced(params, as_of)
    need = params.min_products_with_quality
    out = []
    if sum(p.quality is not None for p in offered) < need:
        out.append(MissingData(
            what=f"quality score per product on one benchmark (e.g. an arena Elo), sourced, "
                 f"for at least {need} offered products",
            how="add `quality: {value, benchmark, source}` to each product in the claim's "
                "params"))
    if sum(p.speed is not None for p in offered) < need:
        out.append(MissingData(
            what=f"speed per product ({params.speed_unit}, sourced)",
            how="add `speed: {value, source}` to each product in the claim's params"))
    if sum(p.usage_share is not None and p.quality is not None
           for p in offered) < params.top_used:
        out.append(MissingData(
            what=f"usage share per product ({params.usage_ranking}), for at least "
                 f"{params.top_used} scored products",
            how="add `usage_share: {value (fraction 0-1), source}` from a dated ranking "
                "snapshot to each product in the claim's params"))
    return out
