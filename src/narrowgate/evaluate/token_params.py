"""Params of the token-economics test and the price arithmetic on them.

Split from the evaluator so each module keeps one job: these are the typed inputs (list
prices, optional sourced quality, speed and usage per model) and pure helpers on them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from itertools import pairwise
from typing import Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import RecordedSource
from narrowgate.evaluate.registry import Params
from narrowgate.models.tokens import blended_price, pareto_mask, price_ladder
from narrowgate.naming import slug

Provider = Literal["OpenAI", "Anthropic", "Google", "DeepSeek"]
Tier = Literal["pro", "flagship", "mid", "small"]
TIERS: tuple[Tier, ...] = ("pro", "flagship", "mid", "small")
TIER_RANK: dict[Tier, int] = {"small": 1, "mid": 2, "flagship": 3, "pro": 4}
LIVE_TIMEOUT_S = 8.0


class QualityScore(Params):
    """A quality score on a named benchmark (e.g. an arena Elo); higher is better."""

    value: float = Field(ge=0)
    benchmark: str = Field(min_length=1)
    source: RecordedSource


class SpeedFigure(Params):
    """Output tokens per second, as measured by the named source."""

    value: float = Field(gt=0)
    source: RecordedSource


class UsageShare(Params):
    """The model's share (0–1) of the usage ranking's tokens in the sourced snapshot."""

    value: float = Field(ge=0, le=1)
    source: RecordedSource


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
    quality: QualityScore | None = None
    speed_tps: SpeedFigure | None = None
    usage_share: UsageShare | None = None
    openrouter_ids: list[str] = Field(
        default_factory=list, description="exact OpenRouter ids; else matched by name slug"
    )

    @model_validator(mode="after")
    def _ids_look_like_openrouter(self) -> ModelPrice:
        bad = [i for i in self.openrouter_ids if i.count("/") != 1 or i != i.strip()]
        if bad:
            raise ValueError(f"openrouter_ids must look like 'vendor/model': {bad}")
        return self

    @property
    def name(self) -> str:
        return f"{self.provider} {self.model}"


class TokenEconomicsParams(Params):
    prices: list[ModelPrice] = Field(min_length=2)
    blend_input_share: float = Field(
        0.75, gt=0, lt=1, description="share of input tokens in a blended price (0.75 = 3:1)"
    )
    usage_ranking: str = Field(description="the usage ranking the claim refers to")
    min_models_with_quality: int = Field(4, ge=3, description="offered models scored")
    top_used: int = Field(3, ge=1, description="how many of the most-used models are judged")
    near_frontier_pct: float = Field(
        5.0,
        ge=0,
        le=100,
        description="quality shortfall (% of the best at that price) "
        "within which a model counts as near the price–quality frontier",
    )
    min_top_used_near_frontier: float = Field(0.67, gt=0, le=1)
    min_quality_price_corr: float = Field(
        0.3, ge=-1, le=1, description="Spearman rho(quality, price) for 'stronger is dearer'"
    )

    @model_validator(mode="after")
    def _comparable(self) -> TokenEconomicsParams:
        benchmarks = {p.quality.benchmark for p in self.prices if p.quality}
        if len(benchmarks) > 1:
            raise ValueError(f"quality scores must share one benchmark, got {sorted(benchmarks)}")
        total = sum(p.usage_share.value for p in self.prices if p.usage_share)
        if total > 1 + 1e-9:
            raise ValueError(f"usage shares add up to {total:g} > 1")
        return self


def blended_usd_per_mtok(price: ModelPrice, input_share: float) -> float | None:
    """Price of a million tokens in the given input/output mix."""
    if price.output_usd_per_mtok is None:
        return None
    return blended_price(price.input_usd_per_mtok, price.output_usd_per_mtok, input_share)


def priced(params: TokenEconomicsParams, as_of: date) -> list[ModelPrice]:
    """Models offered at ``as_of`` with a sourced output price (expired promotions dropped).

    A price list's source date is when it was read, not when its prices took effect (a
    promotion read in May may have run in February), so it does not limit ``as_of``."""
    return [
        p
        for p in params.prices
        if not p.retired
        and p.output_usd_per_mtok is not None
        and (p.price_valid_until is None or p.price_valid_until >= as_of)
    ]


def output_price(p: ModelPrice) -> float:
    assert p.output_usd_per_mtok is not None  # priced() guarantees it
    return p.output_usd_per_mtok


def blend(p: ModelPrice, params: TokenEconomicsParams) -> float:
    return blended_price(p.input_usd_per_mtok, output_price(p), params.blend_input_share)


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


def price_tier_frontier(params: TokenEconomicsParams, as_of: date) -> list[ModelPrice]:
    """Offered models no other offered model beats on both blended price (lower) and tier
    (higher), cheapest first. Tiers are the only sourced "strength" axis in the table."""
    offered = priced(params, as_of)
    mask = pareto_mask(
        [(blend(p, params), TIER_RANK[p.tier]) for p in offered], maximise=[False, True]
    )
    return sorted(
        (p for p, on in zip(offered, mask, strict=True) if on),
        key=lambda p: (blend(p, params), p.name),
    )


def provider_ladders(
    params: TokenEconomicsParams, as_of: date
) -> dict[str, dict[Tier, tuple[ModelPrice, float]]]:
    """Per provider and tier (above its lowest), the tier's entry model (cheapest blended)
    and its blended price as a multiple of the entry price of the next tier down."""
    entries: dict[str, dict[Tier, ModelPrice]] = defaultdict(dict)
    for p in sorted(priced(params, as_of), key=lambda p: blend(p, params), reverse=True):
        entries[p.provider][p.tier] = p  # the cheapest is written last
    out: dict[str, dict[Tier, tuple[ModelPrice, float]]] = {}
    for provider, tiers in sorted(entries.items()):
        steps = price_ladder({TIER_RANK[t]: blend(p, params) for t, p in tiers.items()})
        by_rank = {TIER_RANK[t]: t for t in tiers}
        out[provider] = {by_rank[r]: (tiers[by_rank[r]], m) for r, m in steps.items()}
    return out


def quality_of(p: ModelPrice) -> QualityScore:
    assert p.quality is not None  # callers filter on it
    return p.quality


def price_note(p: ModelPrice) -> str:
    out = "n/a" if p.output_usd_per_mtok is None else f"{p.output_usd_per_mtok:g}"
    return (
        f"in {p.input_usd_per_mtok:g} / out {out} USD per 1M tokens"
        + (" (retired)" if p.retired else "")
        + (f" (promotional until {p.price_valid_until})" if p.price_valid_until else "")
    )


def figure_key(p: ModelPrice) -> str:
    return f"{p.provider.lower()}_{slug(p.model)}"


def log10_or_none(x: float) -> float | None:
    return round(math.log10(x), 4) if x > 0 else None
