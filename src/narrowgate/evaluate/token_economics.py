"""token-economics: the price side of "stronger models are slower and dearer".

Why only the price side: list prices per model are sourced (the thesis carries a table of
them), so the price ladder is computed here: the cheapest and dearest output price per
tier and per provider, and how many times dearer the top tier is. The mechanism itself
(usage rankings reward price-performance) needs quality and speed figures and usage
shares per model, which are not sourced yet, so the verdict is "insufficient data" and
says exactly which tables would decide it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from narrowgate.evaluate.common import RecordedSource, figure, recorded_data, text
from narrowgate.evaluate.registry import EvalContext, Evaluator, Params, register
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    ChartSeries,
    Evidence,
    Figure,
    MissingData,
    Verdict,
)

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim

Provider = Literal["OpenAI", "Anthropic", "Google", "DeepSeek"]
Tier = Literal["pro", "flagship", "mid", "small"]
TIERS: tuple[Tier, ...] = ("pro", "flagship", "mid", "small")


class ModelPrice(Params):
    """A list price in USD per million tokens (standard tier, prompts up to 200K)."""

    provider: Provider
    model: str = Field(min_length=1)
    tier: Tier = Field(description="the project's grouping by the provider's own naming")
    input_usd_per_mtok: float = Field(ge=0)
    output_usd_per_mtok: float | None = Field(None, ge=0, description="None when not sourced")
    unverified: bool = False
    retired: bool = False
    price_valid_until: date | None = Field(None, description="end of a promotional price")
    source: RecordedSource


class TokenEconomicsParams(Params):
    prices: list[ModelPrice] = Field(min_length=2)
    blend_input_share: float = Field(
        0.75, gt=0, lt=1, description="share of input tokens in a blended price (0.75 = 3:1)"
    )
    usage_ranking: str = Field(description="the usage ranking the claim refers to")


def blended_usd_per_mtok(price: ModelPrice, input_share: float) -> float | None:
    """Price of a million tokens in the given input/output mix."""
    if price.output_usd_per_mtok is None:
        return None
    return input_share * price.input_usd_per_mtok + (1 - input_share) * price.output_usd_per_mtok


def priced(params: TokenEconomicsParams, as_of: date) -> list[ModelPrice]:
    """Models offered at ``as_of`` with a sourced output price (expired promotions dropped)."""
    return [
        p for p in params.prices
        if not p.retired and p.output_usd_per_mtok is not None
        and (p.price_valid_until is None or p.price_valid_until >= as_of)
    ]


def output_price(p: ModelPrice) -> float:
    assert p.output_usd_per_mtok is not None  # priced() guarantees it
    return p.output_usd_per_mtok


def tier_frontier(
    params: TokenEconomicsParams, as_of: date
) -> dict[Tier, tuple[ModelPrice, ModelPrice]]:
    """Per tier, (cheapest, dearest) model by output price."""
    groups: dict[Tier, list[ModelPrice]] = defaultdict(list)
    for p in priced(params, as_of):
        groups[p.tier].append(p)
    return {
        tier: (min(groups[tier], key=output_price), max(groups[tier], key=output_price))
        for tier in TIERS if groups[tier]
    }


def provider_spread(params: TokenEconomicsParams, as_of: date) -> dict[str, float]:
    """Per provider, dearest / cheapest output price among its offered models."""
    groups: dict[str, list[float]] = defaultdict(list)
    for p in priced(params, as_of):
        groups[p.provider].append(output_price(p))
    return {k: max(v) / min(v) for k, v in sorted(groups.items()) if min(v) > 0}


def tiers_price_ordered(params: TokenEconomicsParams, as_of: date) -> dict[str, bool]:
    """Per provider: does every tier's cheapest output price exceed the dearest one of the
    next tier down? This is the price half of "stronger is dearer"."""
    by_provider: dict[str, dict[Tier, list[float]]] = defaultdict(lambda: defaultdict(list))
    for p in priced(params, as_of):
        by_provider[p.provider][p.tier].append(output_price(p))
    out: dict[str, bool] = {}
    for provider, tiers in sorted(by_provider.items()):
        present = [tiers[t] for t in TIERS if tiers[t]]  # top tier first
        out[provider] = all(min(up) > max(down) for up, down in pairwise(present))
    return out


def _price_text(p: ModelPrice) -> str:
    return "n/a" if p.output_usd_per_mtok is None else f"{p.output_usd_per_mtok:g}"


@register
class TokenEconomics(Evaluator[TokenEconomicsParams]):
    test = "token-economics"
    params_model = TokenEconomicsParams
    title = "LLM API price ladder; price/quality/speed frontier"

    def evaluate(
        self, claim: Claim, params: TokenEconomicsParams, ctx: EvalContext
    ) -> Assessment:
        offered = priced(params, ctx.as_of)
        frontier = tier_frontier(params, ctx.as_of)
        spreads = provider_spread(params, ctx.as_of)
        ordered_tiers = tiers_price_ordered(params, ctx.as_of)
        n_ordered = sum(ordered_tiers.values())
        expired = [f"{p.provider} {p.model} (to {p.price_valid_until})" for p in params.prices
                   if p.price_valid_until is not None and p.price_valid_until < ctx.as_of]
        cheapest = min(offered, key=output_price)
        dearest = max(offered, key=output_price)
        figures: list[Figure] = [
            figure("models_priced", "有来源报价的在售模型数", "offered models with a sourced price",
                   len(offered), "models"),
            figure("cheapest_output", f"最便宜输出价({cheapest.model})",
                   f"cheapest output price ({cheapest.model})",
                   output_price(cheapest), "USD per 1M output tokens"),
            figure("dearest_output", f"最贵输出价({dearest.model})",
                   f"dearest output price ({dearest.model})",
                   output_price(dearest), "USD per 1M output tokens"),
            figure("output_price_span", "最贵/最便宜输出价", "dearest / cheapest output price",
                   round(output_price(dearest) / output_price(cheapest), 1), "x", decisive=True),
        ]
        for tier, (low, high) in frontier.items():
            figures.append(figure(
                f"tier_{tier}_cheapest", f"{tier} 档最便宜输出价({low.provider} {low.model})",
                f"{tier} tier cheapest output ({low.provider} {low.model})",
                output_price(low), "USD per 1M output tokens"))
            figures.append(figure(
                f"tier_{tier}_dearest", f"{tier} 档最贵输出价({high.provider} {high.model})",
                f"{tier} tier dearest output ({high.provider} {high.model})",
                output_price(high), "USD per 1M output tokens"))
        figures.append(figure("providers_tiers_ordered", "各档价格严格递增的厂商",
                              "providers whose every tier costs more than the one below",
                              f"{n_ordered}/{len(ordered_tiers)}", "providers", decisive=True))
        for provider, spread in spreads.items():
            figures.append(figure(f"spread_{provider.lower()}", f"{provider} 最贵/最便宜输出价",
                                  f"{provider} dearest / cheapest output", round(spread, 1), "x"))
        for p in offered:
            blended = blended_usd_per_mtok(p, params.blend_input_share)
            figures.append(figure(
                f"blended_{p.provider.lower()}_{p.model.lower().replace(' ', '-')}",
                f"{p.provider} {p.model} 混合价", f"{p.provider} {p.model} blended price",
                None if blended is None else round(blended, 4),
                f"USD per 1M tokens ({params.blend_input_share:.0%} input)"))

        data = [recorded_data(p.source, f"llm:{p.provider}:{p.model}",
                              f"in {p.input_usd_per_mtok:g} / out {_price_text(p)}"
                              f" USD per 1M tokens"
                              + (" (retired)" if p.retired else "")
                              + (f" (promotional until {p.price_valid_until})"
                                 if p.price_valid_until else ""))
                for p in params.prices]
        ordered = sorted(offered, key=output_price)
        names: list[str | float | int] = [f"{p.provider} {p.model}" for p in ordered]
        chart = Chart(
            title=text("LLM API 标价(每百万 token)", "LLM API list prices per 1M tokens"),
            series=[
                ChartSeries(name="output", x=names, y=[output_price(p) for p in ordered],
                            kind="bar"),
                ChartSeries(name="input", x=names, y=[p.input_usd_per_mtok for p in ordered],
                            kind="bar"),
            ],
            x_label="model", y_label="USD per 1M tokens", x_is_date=False,
        )
        unsourced = [f"{p.provider} {p.model}" for p in params.prices
                     if p.output_usd_per_mtok is None or p.unverified]
        missing = [
            MissingData(what="quality benchmark scores per model (sourced, same benchmark for all)",
                        how="no provider yet: add a sourced table (model, score, date) to the "
                            "claim's params once a benchmark is chosen"),
            MissingData(what="speed per model (output tokens per second, sourced)",
                        how="no provider yet: add a sourced throughput table to the params"),
            MissingData(what=f"usage shares per model ({params.usage_ranking})",
                        how="no provider yet: record dated ranking snapshots in the params"),
        ]
        notes = [text(
            "价格档位(pro/flagship/mid/small)是本项目按厂商命名做的分组,不是质量评分。",
            "Tiers (pro/flagship/mid/small) are the project's grouping by the providers' own "
            "naming, not a quality score.")]
        if expired:
            notes.append(text("评估日已过期的促销价(不计入):" + "、".join(expired),
                              "Promotional prices expired at as-of (left out): "
                              + ", ".join(expired)))
        if unsourced:
            notes.append(text("未核实或缺输出价:" + "、".join(unsourced),
                              "Unverified or missing output price: " + ", ".join(unsourced)))
        span = output_price(dearest) / output_price(cheapest)
        summary = text(
            f"价格端:在售模型输出价从 {output_price(cheapest):g} 到 {output_price(dearest):g} "
            f"美元/百万 token,相差 {span:.0f} 倍;{n_ordered}/{len(ordered_tiers)} 家厂商的"
            f"每一档都比下一档贵。机制本身(榜单奖励性价比)需要质量、速度与使用量数据,"
            f"目前没有来源,故数据不足。",
            f"Price side: offered models' output prices run from {output_price(cheapest):g} to "
            f"{output_price(dearest):g} USD per 1M tokens, a {span:.0f}x span; "
            f"{n_ordered}/{len(ordered_tiers)} providers price every tier above the one below. "
            f"The mechanism (rankings reward price-performance) needs quality, speed and usage "
            f"figures, which are not sourced yet, so the data are insufficient.",
        )
        return Assessment(
            verdict=Verdict.INSUFFICIENT_DATA,
            summary=summary,
            evidence=Evidence(figures=figures, data=data, charts=[chart], notes=notes,
                              missing=missing),
        )
