"""token-economics: "stronger models are slower and dearer; usage rankings reward value".

What is sourced decides what is computed. List prices are sourced (the thesis carries a
table), so the price side is evidence: blended prices, the Pareto frontier of blended
price against the provider's own tier (cheaper is better, a higher tier is better), and
each provider's price ladder (each tier's entry price as a multiple of the tier below).
The mechanism needs a quality score, a speed and a usage share per model. Those fields
are optional in the params, each with its source; without them the verdict stays
"insufficient data" and names them. With them, the price–quality frontier is computed
and the verdict follows thresholds in the params (see ``decide_mechanism``).

Live prices: an online run with a data layer adds OpenRouter's current prices for the
recorded models as a second, dated source (matching rule: ``openrouter.match_live``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING

from narrowgate.evaluate.common import figure, recorded_data, text
from narrowgate.evaluate.registry import EvalContext, Evaluator, register
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    ChartSeries,
    DataUsed,
    Evidence,
    Figure,
    MissingData,
    Verdict,
    WatchItem,
)
from narrowgate.models.tokens import Offer, blended_price, value_frontier
from narrowgate.naming import slug
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim

from narrowgate.evaluate.token_params import (
    LIVE_TIMEOUT_S,
    TIER_RANK,
    ModelPrice,
    TokenEconomicsParams,
    blend,
    blended_usd_per_mtok,
    figure_key,
    log10_or_none,
    output_price,
    price_note,
    price_tier_frontier,
    priced,
    provider_ladders,
    quality_of,
    tiers_price_ordered,
)


def _scatter(title: LocalizedText, y_label: str, points: list[tuple[ModelPrice, float]],
             params: TokenEconomicsParams, frontier: list[ModelPrice]) -> Chart:
    """Blended price (log10 axis, as prices span three orders of magnitude) against a
    strength axis; one marker series per provider and the frontier as a line."""
    by_provider: dict[str, list[tuple[ModelPrice, float]]] = defaultdict(list)
    for p, y in points:
        by_provider[p.provider].append((p, y))
    ys = dict((p.name, y) for p, y in points)
    series = [ChartSeries(name=provider, kind="scatter",
                          x=[log10_or_none(blend(p, params)) or 0.0 for p, _ in pts],
                          y=[y for _, y in pts]) for provider, pts in sorted(by_provider.items())]
    series.append(ChartSeries(name="frontier", kind="line",
                              x=[log10_or_none(blend(p, params)) or 0.0 for p in frontier],
                              y=[ys[p.name] for p in frontier]))
    return Chart(title=title, series=series, x_is_date=False, y_label=y_label,
                 x_label=f"log10 blended USD per 1M tokens ({params.blend_input_share:.0%} input)")


def decide_mechanism(
    params: TokenEconomicsParams, as_of: date
) -> tuple[Verdict, list[Figure], list[WatchItem], LocalizedText, list[ModelPrice]] | None:
    """The price–quality verdict, or None while the sourced figures are too few.

    Checks: (1) at least ``min_top_used_near_frontier`` of the ``top_used`` most-used
    scored models are on or within ``near_frontier_pct`` of the price–quality frontier;
    (2) the strongest model (dearest among equals) is not the most used; (3) Spearman
    rho(quality, blended price) ≥ ``min_quality_price_corr``; (4) when speeds are
    sourced for enough models, rho(quality, speed) ≤ −``min_quality_price_corr``.
    Supported when all pass, contradicted when (1) and (2) both fail, else mixed.
    """
    scored = {p.name: p for p in priced(params, as_of) if p.quality}
    offers = [Offer(p.name, blend(p, params), quality_of(p).value,
                    p.usage_share.value if p.usage_share else None,
                    p.speed_tps.value if p.speed_tps else None) for p in scored.values()]
    if (len(offers) < params.min_models_with_quality
            or sum(o.usage_share is not None for o in offers) < params.top_used):
        return None
    vf = value_frontier(offers, params.top_used, params.near_frontier_pct)
    rho, rho_speed = vf.rho_price, vf.rho_speed
    checks = {"top_used_near_frontier": vf.near_share >= params.min_top_used_near_frontier,
              "strongest_not_most_used": vf.strongest != vf.top_used[0],
              "stronger_is_dearer": rho is not None and rho >= params.min_quality_price_corr}
    if vf.n_speed >= params.min_models_with_quality and rho_speed is not None:
        checks["stronger_is_slower"] = rho_speed <= -params.min_quality_price_corr
    if all(checks.values()):
        verdict = Verdict.SUPPORTED
    elif not checks["top_used_near_frontier"] and not checks["strongest_not_most_used"]:
        verdict = Verdict.CONTRADICTED
    else:
        verdict = Verdict.MIXED
    bench = quality_of(next(iter(scored.values()))).benchmark
    on, n_top, most = ", ".join(vf.frontier), len(vf.top_used), vf.top_used[0]
    figures = [
        figure("quality_frontier", f"价格–质量前沿({bench})", f"price–quality frontier ({bench})",
               on, "models", decisive=True),
        figure("top_used_near_frontier", f"用量前 {n_top} 名中位于前沿附近的比例",
               f"share of the {n_top} most used on/near the frontier", round(vf.near_share, 3),
               f"fraction (near = within {params.near_frontier_pct:g}% of the best quality "
               "at that price)", decisive=True),
        figure("strongest_model", "最强模型", "strongest model", vf.strongest, "model"),
        figure("most_used_model", "用量最高模型", "most used model", most, "model",
               decisive=True),
        figure("quality_price_rho", "质量与价格的秩相关", "Spearman rho(quality, blended price)",
               None if rho is None else round(rho, 3), "rho", decisive=True),
        figure("quality_speed_rho", "质量与速度的秩相关", "Spearman rho(quality, tokens/s)",
               None if rho_speed is None else round(rho_speed, 3), f"rho ({vf.n_speed} models)"),
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
    return verdict, figures, watch, summary, [scored[n] for n in vf.frontier]


def _live(params: TokenEconomicsParams, ctx: EvalContext
          ) -> tuple[list[Figure], list[DataUsed], list[LocalizedText], list[ChartSeries]]:
    """Live OpenRouter prices for the recorded models, or a note why there are none.

    Fetched through the run's data view (one fetch per run; never when offline); a bare
    library call without a data view stays off the network.
    """
    if ctx.offline or (ctx.hub is not None and ctx.hub.offline):
        return [], [], [text("离线运行:未获取 OpenRouter 实时价格。",
                             "Offline run: live OpenRouter prices were not fetched.")], []
    if ctx.hub is None:
        return [], [], [text("无数据层的调用:未获取 OpenRouter 实时价格。",
                             "No data layer in this call: live OpenRouter prices were not "
                             "fetched (an online `narrowgate run` fetches them).")], []
    wanted = [p for p in params.prices if not p.retired]
    live = ctx.hub.llm_prices([(p.provider, p.model, p.openrouter_ids) for p in wanted],
                              LIVE_TIMEOUT_S)
    if isinstance(live, str) or live.error is not None:
        why = live if isinstance(live, str) else live.error
        return [], [], [text(f"OpenRouter 实时价格获取失败:{why}",
                             f"Live OpenRouter prices not available: {why}")], []
    figures: list[Figure] = []
    xs: list[str | float | int] = []
    ys: list[float | None] = []
    for p, hits in zip(wanted, live.matches, strict=True):
        listed = blended_usd_per_mtok(p, params.blend_input_share)
        for row in hits:
            now = blended_price(row["input_usd_per_m"], row["output_usd_per_m"],
                                params.blend_input_share)
            diff = "" if not listed else f"; {now / listed - 1:+.0%} vs list"
            mid = str(row["model_id"])
            figures.append(figure(f"live_blended_{slug(mid)}", f"{mid} 实时混合价",
                                  f"{mid} live blended", round(now, 4),
                                  f"USD per 1M tokens (OpenRouter{diff})"))
            xs.append(log10_or_none(now) or 0.0)
            ys.append(TIER_RANK[p.tier])
    unmatched = [p.name for p, hits in zip(wanted, live.matches, strict=True) if not hits]
    figures.insert(0, figure("live_matched", "与 OpenRouter 匹配的模型", "models matched live",
                             f"{len(wanted) - len(unmatched)}/{len(wanted)}", "models"))
    data = [DataUsed(instrument="openrouter:models", source=live.url, rows=live.rows,
                     fetched_at=live.fetched_at, end=live.fetched_at.date(),
                     note="live prices in USD per 1M tokens; matched by exact OpenRouter id or "
                          "name slug")]
    notes = [text(f"OpenRouter 未匹配:{'、'.join(unmatched)}",
                  f"Not matched on OpenRouter: {', '.join(unmatched)}")] if unmatched else []
    return figures, data, notes, [ChartSeries(name="OpenRouter live", kind="scatter", x=xs, y=ys)]


@register
class TokenEconomics(Evaluator[TokenEconomicsParams]):
    test = "token-economics"
    params_model = TokenEconomicsParams
    title = "LLM API price ladder; price/quality/speed frontier"

    def evaluate(self, claim: Claim, params: TokenEconomicsParams, ctx: EvalContext
                 ) -> Assessment:
        offered = priced(params, ctx.as_of)
        ordered_tiers = tiers_price_ordered(params, ctx.as_of)
        n_ordered = sum(ordered_tiers.values())
        frontier = price_tier_frontier(params, ctx.as_of)
        cheapest, dearest = min(offered, key=output_price), max(offered, key=output_price)
        span = output_price(dearest) / output_price(cheapest)
        on = ", ".join(p.name for p in frontier)
        figures: list[Figure] = [
            figure("models_priced", "有来源报价的在售模型数", "offered models with a sourced price",
                   len(offered), "models"),
            figure("cheapest_output", f"最便宜输出价({cheapest.model})",
                   f"cheapest output price ({cheapest.model})", output_price(cheapest),
                   "USD per 1M output tokens"),
            figure("dearest_output", f"最贵输出价({dearest.model})",
                   f"dearest output price ({dearest.model})", output_price(dearest),
                   "USD per 1M output tokens"),
            figure("output_price_span", "最贵/最便宜输出价", "dearest / cheapest output price",
                   round(span, 1), "x", decisive=True),
            figure("providers_tiers_ordered", "各档价格严格递增的厂商",
                   "providers whose every tier costs more than the one below",
                   f"{n_ordered}/{len(ordered_tiers)}", "providers", decisive=True),
            figure("price_tier_frontier", "价格–档位前沿上的模型",
                   "models on the price–tier frontier", on, "models", decisive=True),
        ]
        for provider, steps in provider_ladders(params, ctx.as_of).items():
            for tier, (entry, multiple) in steps.items():
                figures.append(figure(
                    f"ladder_{provider.lower()}_{tier}", f"{provider} {tier} 档入门价 / 下一档",
                    f"{provider} {tier} entry ({entry.model}) / tier below", round(multiple, 2),
                    "x (blended)"))
        for p in offered:
            key = f"blended_{figure_key(p)}"
            figures.append(figure(key, f"{p.name} 混合价", f"{p.name} blended",
                                  round(blend(p, params), 4),
                                  f"USD per 1M tokens ({params.blend_input_share:.0%} input)"))
        data = [recorded_data(p.source, f"llm:{p.provider}:{p.model}", price_note(p))
                for p in params.prices]
        price_chart = _scatter(
            text("混合价与档位(对数价格轴)", "Blended price vs tier (log price axis)"),
            "tier rank (1 small, 2 mid, 3 flagship, 4 pro)",
            [(p, float(TIER_RANK[p.tier])) for p in offered], params, frontier)
        live_figures, live_data, notes, live_series = _live(params, ctx)
        price_chart.series.extend(live_series)
        notes[:0] = [
            text("价格档位(pro/flagship/mid/small)是本项目按厂商命名做的分组,不是质量评分。",
                 "Tiers (pro/flagship/mid/small) are the project's grouping by the providers' "
                 "own naming, not a quality score."),
            text(f"价格–档位前沿(混合价越低越好、档位越高越好):{on}。",
                 f"On the price–tier frontier (lower blended price, higher tier): {on}."),
            *(text(f"{p.name} 以促销价位于前沿,有效至 {p.price_valid_until}。",
                   f"{p.name} is on the frontier at a promotional price valid to "
                   f"{p.price_valid_until}.") for p in frontier if p.price_valid_until),
        ]
        expired = [f"{p.name} (to {p.price_valid_until})" for p in params.prices
                   if p.price_valid_until is not None and p.price_valid_until < ctx.as_of]
        if expired:
            notes.append(text("评估日已过期的促销价(不计入):" + "、".join(expired),
                              "Promotional prices expired at as-of (left out): "
                              + ", ".join(expired)))
        unsourced = [p.name for p in params.prices if p.output_usd_per_mtok is None or p.unverified]
        if unsourced:
            notes.append(text("未核实或缺输出价:" + "、".join(unsourced),
                              "Unverified or missing output price: " + ", ".join(unsourced)))
        missing = _missing(params, ctx.as_of)
        charts = [price_chart]
        decided = decide_mechanism(params, ctx.as_of)
        price_summary = text(
            f"价格端:输出价 {output_price(cheapest):g}–{output_price(dearest):g} 美元/百万 token"
            f"(相差 {span:.0f} 倍);{n_ordered}/{len(ordered_tiers)} 家厂商每档都比下一档贵;"
            f"价格–档位前沿:{on}。",
            f"Price side: output {output_price(cheapest):g}–{output_price(dearest):g} USD per 1M "
            f"tokens ({span:.0f}x); {n_ordered}/{len(ordered_tiers)} providers price every tier "
            f"above the one below; price–tier frontier: {on}.")
        if decided is None:
            return Assessment(verdict=Verdict.INSUFFICIENT_DATA, summary=text(
                price_summary.zh + "机制本身需要有来源的质量、速度与用量数据,目前不足。",
                price_summary.en + " The mechanism needs sourced quality, speed and usage "
                "figures per model, which are too few, so the data are insufficient."),
                evidence=Evidence(figures=figures + live_figures, data=data + live_data,
                                  charts=charts, notes=notes, missing=missing))
        verdict, q_figures, watch, q_summary, q_frontier = decided
        scored = [p for p in offered if p.quality]
        charts.append(_scatter(text("混合价与质量", "Blended price vs quality"),
                               quality_of(scored[0]).benchmark,
                               [(p, quality_of(p).value) for p in scored],
                               params, q_frontier))
        for p in params.prices:
            for name, value in (("quality", p.quality), ("speed", p.speed_tps),
                                ("usage", p.usage_share)):
                if value is not None:
                    data.append(recorded_data(value.source, f"llm:{p.provider}:{p.model}:{name}",
                                              f"{name} {value.value:g}"))
        return Assessment(verdict=verdict, summary=text(price_summary.zh + q_summary.zh,
                                                        price_summary.en + " " + q_summary.en),
                          evidence=Evidence(figures=figures + q_figures + live_figures,
                                            data=data + live_data, charts=charts, notes=notes,
                                            missing=missing, watch=watch))


def _missing(params: TokenEconomicsParams, as_of: date) -> list[MissingData]:
    """The per-model figures still too few, and the params fields that would add them."""
    offered = priced(params, as_of)
    need = params.min_models_with_quality
    out = []
    if sum(p.quality is not None for p in offered) < need:
        out.append(MissingData(
            what=f"quality score per model on one benchmark (e.g. an arena Elo), sourced, "
                 f"for at least {need} offered models",
            how="add `quality: {value, benchmark, source}` to each model in the claim's params"))
    if sum(p.speed_tps is not None for p in offered) < need:
        out.append(MissingData(
            what="speed per model (output tokens per second, sourced)",
            how="add `speed_tps: {value, source}` to each model in the claim's params"))
    if sum(p.usage_share is not None and p.quality is not None for p in offered) < params.top_used:
        out.append(MissingData(
            what=f"usage share per model ({params.usage_ranking}), for at least "
                 f"{params.top_used} scored models",
            how="add `usage_share: {value (fraction 0-1), source}` from a dated ranking "
                "snapshot to each model in the claim's params"))
    return out
