"""price-frontier: a table of products with sourced list prices, their price frontier and
each provider's tier ladder; optionally a price–quality mechanism or price-side checks.

What is sourced decides what is computed. List prices are sourced (the thesis carries a
table in one ``price_unit``), so the price side is evidence: blended prices, the Pareto
frontier of blended price against tier (cheaper is better, a higher tier is better), and
each provider's ladder (each tier's entry price as a multiple of the tier below).

The verdict comes from one of two places (``verdict_from``):
- ``mechanism``: "stronger products are dearer and slower; usage rewards value" needs a
  quality score, a speed and a usage share per product, each sourced and optional in the
  params; without enough of them the verdict is "insufficient data" and names them
  (:mod:`.price_mechanism`).
- ``price_checks``: per provider, the top tier's entry price is at least a multiple of the
  lowest tier's, and/or the tiers are strictly price-ordered; the share of providers that
  pass decides (all → supported by default, none → contradicted, else mixed).
A horizon holds either reading back until it is reached (coverage gate).

Live prices: with ``live_prices: openrouter`` an online run adds the source's current
prices for the recorded products as a second, dated reading (never offline).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from narrowgate.evaluate.common import figure, recorded_data, text
from narrowgate.evaluate.core.coverage import coverage_gate
from narrowgate.evaluate.core.thresholds import banded
from narrowgate.evaluate.kinds.price_mechanism import (
    decide_mechanism,
    mechanism_missing,
    quality_value,
)
from narrowgate.evaluate.kinds.price_table import (
    LIVE_TIMEOUT_S,
    PriceFrontierParams,
    ProductPrice,
    figure_key,
    price_note,
)
from narrowgate.evaluate.registry import EvalContext, Evaluator, register
from narrowgate.evaluate.summary import interim_first, joined
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    ChartSeries,
    DataUsed,
    Evidence,
    Figure,
    Verdict,
    WatchItem,
)
from narrowgate.models.price_table import (
    blend,
    blended,
    log10_or_none,
    output_price,
    price_tier_frontier,
    priced,
    provider_ladders,
    tiers_price_ordered,
    top_to_entry,
)
from narrowgate.models.tokens import blended_price
from narrowgate.naming import slug
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from datetime import date

    from narrowgate.thesis.schema import Claim

#: display names of the live price sources
LIVE_NAMES = {"openrouter": "OpenRouter"}


def _scatter(title: LocalizedText, y_label: str, points: list[tuple[ProductPrice, float]],
             params: PriceFrontierParams, frontier: list[ProductPrice]) -> Chart:
    """Blended price (log10 axis, as prices span orders of magnitude) against a strength
    axis; one marker series per provider and the frontier as a line."""
    by_provider: dict[str, list[tuple[ProductPrice, float]]] = defaultdict(list)
    for p, y in points:
        by_provider[p.provider].append((p, y))
    ys = {p.name: y for p, y in points}
    series = [ChartSeries(name=provider, kind="scatter",
                          x=[log10_or_none(blend(p, params)) or 0.0 for p, _ in pts],
                          y=[y for _, y in pts]) for provider, pts in sorted(by_provider.items())]
    series.append(ChartSeries(name="frontier", kind="line",
                              x=[log10_or_none(blend(p, params)) or 0.0 for p in frontier],
                              y=[ys[p.name] for p in frontier]))
    return Chart(title=title, series=series, x_is_date=False, y_label=y_label,
                 x_label=f"log10 blended {params.price_unit} "
                         f"({params.blend_input_share:.0%} input)")


def _live(params: PriceFrontierParams, ctx: EvalContext
          ) -> tuple[list[Figure], list[DataUsed], list[LocalizedText], list[ChartSeries]]:
    """Live prices for the recorded products, or a note why there are none.

    Read through the run's data view: one fetch per run, kept in the store as a dated
    snapshot; offline (or for an earlier as-of), the newest stored list on or before as-of,
    labelled with its date. A bare library call without a data view stays off the network.
    """
    if params.live_prices is None:
        return [], [], [], []
    source = params.live_prices
    where = LIVE_NAMES[source]
    if ctx.hub is None:
        return [], [], [text(f"无数据层的调用:未获取 {where} 实时价格。",
                             f"No data layer in this call: live {where} prices were not "
                             "fetched (an online `narrowgate run` fetches them).")], []
    offline = ctx.offline or ctx.hub.offline
    wanted = [p for p in params.products if not p.retired]
    live = ctx.hub.llm_prices([(p.provider, p.product, p.live_ids) for p in wanted],
                              LIVE_TIMEOUT_S, fetch=not offline)
    if isinstance(live, str) and offline:  # nothing fetched, nothing stored
        return [], [], [text(f"离线运行:未获取 {where} 实时价格,库中也没有存档。",
                             f"Offline run: live {where} prices were not fetched, and the "
                             "store holds no earlier list.")], []
    if isinstance(live, str):
        return [], [], [text(f"{where} 实时价格获取失败:{live}",
                             f"Live {where} prices not available: {live}")], []
    day = live.stored_as_of
    zh_kind, en_kind = ("实时", "live") if day is None else (f"{day} 存档", f"stored {day}")
    figures: list[Figure] = []
    xs: list[str | float | int] = []
    ys: list[float | None] = []
    for p, hits in zip(wanted, live.matches, strict=True):
        listed = blended(p, params.blend_input_share)
        for row in hits:
            now = blended_price(row["input_usd_per_m"], row["output_usd_per_m"],
                                params.blend_input_share)
            diff = "" if not listed else f"; {now / listed - 1:+.0%} vs list"
            mid = str(row["model_id"])
            figures.append(figure(f"live_blended_{slug(mid)}", f"{mid} {zh_kind}混合价",
                                  f"{mid} {en_kind} blended", round(now, 4),
                                  f"{params.price_unit} ({where}{diff})"))
            xs.append(log10_or_none(now) or 0.0)
            ys.append(params.rank(p.tier))
    unmatched = [p.name for p, hits in zip(wanted, live.matches, strict=True) if not hits]
    figures.insert(0, figure("live_matched", f"与 {where} 匹配的产品", "products matched live",
                             f"{len(wanted) - len(unmatched)}/{len(wanted)}", "products"))
    data = [DataUsed(instrument=f"{source}:models", source=live.url, rows=live.rows,
                     fetched_at=live.fetched_at, end=live.fetched_at.date(),
                     note=f"{en_kind} prices in {params.price_unit}; matched by exact id or "
                     "name")]
    notes = [text(f"{where} 未匹配:{'、'.join(unmatched)}",
                  f"Not matched on {where}: {', '.join(unmatched)}")] if unmatched else []
    return figures, data, notes, [ChartSeries(name=f"{where} {en_kind}", kind="scatter", x=xs,
                                              y=ys)]


def _price_checks(params: PriceFrontierParams, as_of: date
                  ) -> tuple[Verdict, list[Figure], list[WatchItem], LocalizedText] | None:
    """The price-side reading: the share of providers passing every set check, or None
    when no provider has two priced tiers."""
    checks = params.price_checks
    assert checks is not None
    spans = top_to_entry(params, as_of)
    ordered = tiers_price_ordered(params, as_of)
    if not spans:
        return None
    passed: dict[str, bool] = {}
    figures: list[Figure] = []
    for provider, (top, low, ratio) in spans.items():
        ok = ordered[provider] if checks.tiers_ordered else True
        if checks.min_top_to_entry_multiple is not None:
            ok = ok and ratio >= checks.min_top_to_entry_multiple
        passed[provider] = ok
        figures.append(figure(f"top_to_entry_{provider.lower()}",
                              f"{provider} 最高档入门价 / 最低档入门价",
                              f"{provider} top tier entry ({top.product}) / lowest tier entry "
                              f"({low.product})", round(ratio, 2), "x (blended)",
                              decisive=True))
    share = sum(passed.values()) / len(passed)
    verdict = banded(share, supported=checks.supported_share,
                     contradicted=checks.contradicted_share)
    n_pass = sum(passed.values())
    figures.insert(0, figure("providers_passing", "通过价格检验的厂商",
                             "providers passing the price checks", f"{n_pass}/{len(passed)}",
                             "providers", decisive=True))
    figures.insert(1, figure("providers_passing_share", "通过比例", "share passing",
                             round(share, 3), "fraction"))
    wanted = []
    if checks.min_top_to_entry_multiple is not None:
        wanted.append(f"top/lowest ≥ {checks.min_top_to_entry_multiple:g}x")
    if checks.tiers_ordered:
        wanted.append("tiers strictly price-ordered")
    failing = [p for p, ok in passed.items() if not ok] or ["none"]
    single = [p for p in ordered if p not in spans]
    left_zh = f"只有一档有报价、未计入:{'、'.join(single)}。" if single else ""
    left_en = f" Not counted (one priced tier): {', '.join(single)}." if single else ""
    watch = [WatchItem(label=text("通过价格检验的厂商比例", "share of providers passing"),
                       current=round(share, 3), threshold=checks.supported_share,
                       unit="fraction",
                       flips_to=Verdict.MIXED if verdict is Verdict.SUPPORTED
                       else Verdict.SUPPORTED)]
    summary = text(
        f"价格检验({';'.join(wanted)}):{n_pass}/{len(passed)} 家厂商通过"
        f"(成立需 ≥ {checks.supported_share:.0%});未通过:{'、'.join(failing)}。{left_zh}",
        f"Price checks ({'; '.join(wanted)}): {n_pass}/{len(passed)} providers pass "
        f"(supported at ≥ {checks.supported_share:.0%}); failing: {', '.join(failing)}."
        f"{left_en}")
    return verdict, figures, watch, summary


@register
class PriceFrontier(Evaluator[PriceFrontierParams]):
    test = "price-frontier"
    params_model = PriceFrontierParams
    title = "Product price table: price frontier, tier ladders, optional quality mechanism"

    def evaluate(self, claim: Claim, params: PriceFrontierParams, ctx: EvalContext
                 ) -> Assessment:
        unit = params.price_unit
        offered = priced(params, ctx.as_of)
        ordered_tiers = tiers_price_ordered(params, ctx.as_of)
        n_ordered = sum(ordered_tiers.values())
        frontier = price_tier_frontier(params, ctx.as_of)
        cheapest, dearest = min(offered, key=output_price), max(offered, key=output_price)
        span = output_price(dearest) / output_price(cheapest)
        on = ", ".join(p.name for p in frontier)
        share = f"{params.blend_input_share:.0%} input"
        figures: list[Figure] = [
            figure("products_priced", "有来源报价的在售产品数",
                   "offered products with a sourced price", len(offered), "products"),
            figure("cheapest_output", f"最便宜输出价({cheapest.product})",
                   f"cheapest output price ({cheapest.product})", output_price(cheapest),
                   f"{unit} (output)"),
            figure("dearest_output", f"最贵输出价({dearest.product})",
                   f"dearest output price ({dearest.product})", output_price(dearest),
                   f"{unit} (output)"),
            figure("output_price_span", "最贵/最便宜输出价", "dearest / cheapest output price",
                   round(span, 1), "x", decisive=True),
            figure("providers_tiers_ordered", "各档价格严格递增的厂商",
                   "providers whose every tier costs more than the one below",
                   f"{n_ordered}/{len(ordered_tiers)}", "providers", decisive=True),
            figure("price_tier_frontier", "价格–档位前沿上的产品",
                   "products on the price–tier frontier", on, "products", decisive=True),
        ]
        for provider, steps in provider_ladders(params, ctx.as_of).items():
            for tier, (entry, multiple) in steps.items():
                figures.append(figure(
                    f"ladder_{provider.lower()}_{tier}", f"{provider} {tier} 档入门价 / 下一档",
                    f"{provider} {tier} entry ({entry.product}) / tier below", round(multiple, 2),
                    "x (blended)"))
        for p in offered:
            figures.append(figure(f"blended_{figure_key(p)}", f"{p.name} 混合价",
                                  f"{p.name} blended", round(blend(p, params), 4),
                                  f"{unit} ({share})"))
        data = [recorded_data(p.source, f"product:{p.provider}:{p.product}",
                              f"{price_note(p)} {unit}") for p in params.products]
        ranks = ", ".join(f"{params.rank(t)} {t}" for t in params.tiers)
        price_chart = _scatter(
            text("混合价与档位(对数价格轴)", "Blended price vs tier (log price axis)"),
            f"tier rank ({ranks})", [(p, float(params.rank(p.tier))) for p in offered],
            params, frontier)
        live_figures, live_data, notes, live_series = _live(params, ctx)
        price_chart.series.extend(live_series)
        tiers = "/".join(reversed(params.tiers))
        notes[:0] = [
            text(f"价格档位({tiers})是论点文件按厂商命名做的分组,不是质量评分。",
                 f"Tiers ({tiers}) are the thesis's grouping by the providers' own naming, "
                 "not a quality score."),
            text(f"价格–档位前沿(混合价越低越好、档位越高越好):{on}。",
                 f"On the price–tier frontier (lower blended price, higher tier): {on}."),
            *(text(f"{p.name} 以促销价位于前沿,有效至 {p.price_valid_until}。",
                   f"{p.name} is on the frontier at a promotional price valid to "
                   f"{p.price_valid_until}.") for p in frontier if p.price_valid_until),
        ]
        expired = [f"{p.name} (to {p.price_valid_until})" for p in params.products
                   if p.price_valid_until is not None and p.price_valid_until < ctx.as_of]
        if expired:
            notes.append(text("评估日已过期的促销价(不计入):" + "、".join(expired),
                              "Promotional prices expired at as-of (left out): "
                              + ", ".join(expired)))
        unsourced = [p.name for p in params.products if p.output_price is None or p.unverified]
        if unsourced:
            notes.append(text("未核实或缺输出价:" + "、".join(unsourced),
                              "Unverified or missing output price: " + ", ".join(unsourced)))
        charts = [price_chart]
        price_summary = text(
            f"价格端:输出价 {output_price(cheapest):g}–{output_price(dearest):g} {unit}"
            f"(相差 {span:.0f} 倍);{n_ordered}/{len(ordered_tiers)} 家厂商每档都比下一档贵;"
            f"价格–档位前沿:{on}。",
            f"Price side: output {output_price(cheapest):g}–{output_price(dearest):g} {unit} "
            f"({span:.0f}x); {n_ordered}/{len(ordered_tiers)} providers price every tier "
            f"above the one below; price–tier frontier: {on}.")
        said, watch = [price_summary], []
        reading: Verdict | None = None
        mech = decide_mechanism(params, ctx.as_of)
        if mech is not None:
            figures += mech.figures
            said.append(mech.summary)
            scored = [p for p in offered if p.quality]
            charts.append(_scatter(text("混合价与质量", "Blended price vs quality"),
                                   scored[0].quality.benchmark if scored[0].quality else "",
                                   [(p, quality_value(p)) for p in scored], params,
                                   mech.frontier))
            data += [recorded_data(v.source, f"product:{p.provider}:{p.product}:{name}",
                                   f"{name} {v.value:g}") for p in params.products
                     for name, v in (("quality", p.quality), ("speed", p.speed),
                                     ("usage", p.usage_share)) if v is not None]
            if params.verdict_from == "mechanism":
                reading, watch = mech.verdict, mech.watch
        if params.price_checks is not None:
            checked = _price_checks(params, ctx.as_of)
            if checked is not None:
                figures += checked[1]
                said.append(checked[3])
                if params.verdict_from == "price_checks":
                    reading, watch = checked[0], checked[2]
        missing = mechanism_missing(params, ctx.as_of) if params.verdict_from == "mechanism" \
            else []
        if reading is None:
            why = (text("机制本身需要有来源的质量、速度与用量数据,目前不足。",
                        "The mechanism needs sourced quality, speed and usage figures per "
                        "product, which are too few, so the data are insufficient.")
                   if params.verdict_from == "mechanism" else
                   text("没有厂商有两档有报价的产品,价格检验无从判定。",
                        "No provider has two priced tiers, so the price checks cannot be "
                        "read."))
            return Assessment(verdict=Verdict.INSUFFICIENT_DATA, summary=joined(*said, why),
                evidence=Evidence(figures=figures + live_figures, data=data + live_data,
                                  charts=charts, notes=notes, missing=missing))
        gate = coverage_gate(reading, decides_at=claim.horizon, data_reaches=ctx.as_of,
                             as_of=ctx.as_of)
        return Assessment(verdict=gate.verdict, summary=gate.said_first(joined(*said)),
                          evidence=Evidence(
            figures=figures + live_figures, data=data + live_data, charts=charts,
            notes=interim_first(gate, *notes),
            missing=missing, watch=watch))
