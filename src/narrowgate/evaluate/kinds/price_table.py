"""Params of the price-frontier kind (the price table) and its wording helpers.

Why a table in the thesis: list prices are published facts, not a market series, so the
thesis records each product's prices with their source. Every price is in the one unit
the params name (``price_unit``, e.g. USD per 1M tokens); a product's blended price mixes
its two components (``input_price``, ``output_price``) by ``blend_input_share``. Tiers are
the thesis's own grouping, lowest first; they are the only "strength" axis until quality
figures are sourced. The arithmetic on the table is :mod:`narrowgate.models.price_table`;
the kind is :mod:`.price_frontier`.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import RecordedSource
from narrowgate.evaluate.registry import Params
from narrowgate.naming import slug

LIVE_TIMEOUT_S = 8.0


class QualityScore(Params):
    """A quality score on a named benchmark (e.g. an arena Elo); higher is better."""

    value: float = Field(ge=0, description="the score (higher is better), benchmark's unit")
    benchmark: str = Field(min_length=1, description="one benchmark shared by all products")
    source: RecordedSource


class SpeedFigure(Params):
    """Throughput in the params' ``speed_unit`` (e.g. output tokens per second)."""

    value: float = Field(gt=0, description="throughput, in the params' speed_unit")
    source: RecordedSource


class UsageShare(Params):
    """The product's share (0–1) of the usage ranking's volume in the sourced snapshot."""

    value: float = Field(ge=0, le=1, description="share of the ranking's volume (0–1)")
    source: RecordedSource


class ProductPrice(Params):
    """A product's list prices in the params' ``price_unit``, with their source."""

    provider: str = Field(min_length=1, description="who sells the product")
    product: str = Field(min_length=1, description="the product's name")
    tier: str = Field(min_length=1, description="one of the params' `tiers`")
    input_price: float = Field(ge=0, description="first price component, in price_unit")
    output_price: float | None = Field(None, ge=0, description="second price component, in "
                                       "price_unit; None when not sourced")
    unverified: bool = Field(False, description="the output price is not verified (left out)")
    retired: bool = Field(False, description="no longer offered (left out)")
    price_valid_until: date | None = Field(None, description="end of a promotional price")
    source: RecordedSource
    quality: QualityScore | None = Field(None, description="sourced quality score "
                                         "(mechanism)")
    speed: SpeedFigure | None = Field(None, description="sourced speed (mechanism)")
    usage_share: UsageShare | None = Field(None, description="sourced usage share "
                                           "(mechanism)")
    live_ids: list[str] = Field(default_factory=list, description="exact ids at the live "
                                "price source; else matched by name")

    @property
    def name(self) -> str:
        return f"{self.provider} {self.product}"


class PriceChecks(Params):
    """A price-side verdict: each provider's ladder against thresholds a user sets."""

    min_top_to_entry_multiple: float | None = Field(
        None, gt=1, description="per provider: the cheapest product of its top tier costs at "
        "least this multiple of the cheapest of its lowest tier (blended prices, x)")
    tiers_ordered: bool = Field(False, description="per provider: every tier's cheapest "
                                "output price exceeds the dearest one of the tier below")
    supported_share: float = Field(1.0, gt=0, le=1, description="share of providers passing "
                                   "at or above which the claim is supported")
    contradicted_share: float = Field(0.0, ge=0, lt=1, description="share of providers "
                                      "passing at or below which it is contradicted")

    @model_validator(mode="after")
    def _something_to_check(self) -> PriceChecks:
        if self.min_top_to_entry_multiple is None and not self.tiers_ordered:
            raise ValueError("price_checks: set min_top_to_entry_multiple or tiers_ordered")
        if self.contradicted_share >= self.supported_share:
            raise ValueError("price_checks: contradicted_share must be below supported_share")
        return self


class PriceFrontierParams(Params):
    products: list[ProductPrice] = Field(min_length=2, description="the price table, one "
                                         "row per product")
    price_unit: str = Field(min_length=1, description="unit of every price, e.g. USD per "
                            "1M tokens")
    tiers: list[str] = Field(min_length=1, description="tier names, lowest first")
    blend_input_share: float = Field(
        0.75, gt=0, lt=1, description="share of input in a blended price (0.75 = 3:1)")
    verdict_from: Literal["mechanism", "price_checks"] = Field(
        "mechanism", description="what decides: the price–quality mechanism (needs sourced "
        "quality, speed and usage) or the price_checks")
    price_checks: PriceChecks | None = Field(None, description="price-side thresholds "
                                             "per provider (decide with verdict_from)")
    live_prices: Literal["openrouter"] | None = Field(
        None, description="an online source of current prices for a second, dated reading "
        "(never fetched offline)")
    usage_ranking: str = Field("the usage ranking", description="the usage ranking the "
                               "claim refers to")
    speed_unit: str = Field("units per second", min_length=1, description="unit of `speed`")
    min_products_with_quality: int = Field(4, ge=3, description="offered products scored")
    top_used: int = Field(3, ge=1, description="how many of the most-used products are judged")
    near_frontier_pct: float = Field(
        5.0, ge=0, le=100, description="quality shortfall (% of the best at that price) "
        "within which a product counts as near the price–quality frontier")
    min_top_used_near_frontier: float = Field(0.67, gt=0, le=1, description="share of the "
                                              "most used on/near the frontier (fraction)")
    min_quality_price_corr: float = Field(
        0.3, ge=-1, le=1, description="Spearman rho(quality, price) for 'stronger is dearer'")

    @model_validator(mode="after")
    def _consistent(self) -> PriceFrontierParams:
        if len(set(self.tiers)) != len(self.tiers):
            raise ValueError(f"tiers must differ, got {self.tiers}")
        unknown = sorted({p.tier for p in self.products} - set(self.tiers))
        if unknown:
            raise ValueError(f"tier {', '.join(unknown)} is not in tiers {self.tiers}")
        if self.verdict_from == "price_checks" and self.price_checks is None:
            raise ValueError("verdict_from: price_checks needs a price_checks block")
        benchmarks = {p.quality.benchmark for p in self.products if p.quality}
        if len(benchmarks) > 1:
            raise ValueError(f"quality scores must share one benchmark, got {sorted(benchmarks)}")
        total = sum(p.usage_share.value for p in self.products if p.usage_share)
        if total > 1 + 1e-9:
            raise ValueError(f"usage shares add up to {total:g} > 1")
        if self.live_prices == "openrouter":
            bad = [i for p in self.products for i in p.live_ids
                   if i.count("/") != 1 or i != i.strip()]
            if bad:
                raise ValueError(f"live_ids must look like 'vendor/model' for openrouter: {bad}")
        return self

    def rank(self, tier: str) -> int:
        """1 for the lowest tier."""
        return self.tiers.index(tier) + 1


def price_note(p: ProductPrice) -> str:
    out = "n/a" if p.output_price is None else f"{p.output_price:g}"
    return (f"in {p.input_price:g} / out {out}"
            + (" (retired)" if p.retired else "")
            + (f" (promotional until {p.price_valid_until})" if p.price_valid_until else ""))


def figure_key(p: ProductPrice) -> str:
    return f"{p.provider.lower()}_{slug(p.product)}"
