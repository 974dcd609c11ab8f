"""Arithmetic on a sourced price table: offered products, blended prices, tier ladders.

Why apart from the price-frontier kind: the kind words a verdict; which products are on
offer at a date, the price-vs-tier frontier, each provider's tier ladder and its top-to-
entry multiple are the same sums for any table of products sold in tiers. Prices are in
the table's own unit (e.g. USD per 1M tokens); a blended price weights the first (input)
and second (output) components by the table's input share. Pure: no I/O, no wording.
The table is read through the :class:`PriceList` protocol, so the kind's params model is
the table itself.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from itertools import pairwise
from typing import Protocol, TypeVar

from narrowgate.models.tokens import blended_price, pareto_mask, price_ladder


class PricedProduct(Protocol):
    """One row of a price table (prices in the table's unit)."""

    @property
    def provider(self) -> str: ...
    @property
    def product(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def tier(self) -> str: ...
    @property
    def input_price(self) -> float: ...
    @property
    def output_price(self) -> float | None: ...
    @property
    def retired(self) -> bool: ...
    @property
    def price_valid_until(self) -> date | None: ...


P = TypeVar("P", bound=PricedProduct)
P_co = TypeVar("P_co", bound=PricedProduct, covariant=True)


class PriceList(Protocol[P_co]):
    """A price table: its products, tier names lowest first and the blend's input share."""

    @property
    def products(self) -> Sequence[P_co]: ...
    @property
    def tiers(self) -> Sequence[str]: ...
    @property
    def blend_input_share(self) -> float: ...
    def rank(self, tier: str) -> int:
        """1 for the lowest tier."""
        ...


def blended(price: PricedProduct, input_share: float) -> float | None:
    """Price of one unit in the given input/output mix (None without an output price)."""
    if price.output_price is None:
        return None
    return blended_price(price.input_price, price.output_price, input_share)


def priced(params: PriceList[P], as_of: date) -> list[P]:
    """Products offered at ``as_of`` with a sourced output price (expired promotions out).

    A price list's source date is when it was read, not when its prices took effect (a
    promotion read in May may have run in February), so it does not limit ``as_of``."""
    return [p for p in params.products
            if not p.retired and p.output_price is not None
            and (p.price_valid_until is None or p.price_valid_until >= as_of)]


def output_price(p: P) -> float:
    assert p.output_price is not None  # priced() guarantees it
    return p.output_price


def blend(p: P, params: PriceList[P]) -> float:
    return blended_price(p.input_price, output_price(p), params.blend_input_share)


def tiers_price_ordered(params: PriceList[P], as_of: date) -> dict[str, bool]:
    """Per provider: does every tier's cheapest output price exceed the dearest one of the
    next tier down? This is the price half of "stronger is dearer"."""
    by_provider: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for p in priced(params, as_of):
        by_provider[p.provider][p.tier].append(output_price(p))
    out: dict[str, bool] = {}
    for provider, tiers in sorted(by_provider.items()):
        present = [tiers[t] for t in reversed(params.tiers) if tiers[t]]  # top tier first
        out[provider] = all(min(up) > max(down) for up, down in pairwise(present))
    return out


def price_tier_frontier(params: PriceList[P], as_of: date) -> list[P]:
    """Offered products no other offered product beats on both blended price (lower) and
    tier (higher), cheapest first."""
    offered = priced(params, as_of)
    mask = pareto_mask([(blend(p, params), params.rank(p.tier)) for p in offered],
                       maximise=[False, True])
    return sorted((p for p, on in zip(offered, mask, strict=True) if on),
                  key=lambda p: (blend(p, params), p.name))


def tier_entries(params: PriceList[P], as_of: date) -> dict[str, dict[str, P]]:
    """Per provider and tier, the tier's entry product (cheapest blended)."""
    entries: dict[str, dict[str, P]] = defaultdict(dict)
    for p in sorted(priced(params, as_of), key=lambda p: blend(p, params), reverse=True):
        entries[p.provider][p.tier] = p  # the cheapest is written last
    return dict(sorted(entries.items()))


def provider_ladders(
    params: PriceList[P], as_of: date
) -> dict[str, dict[str, tuple[P, float]]]:
    """Per provider and tier (above its lowest), the tier's entry product and its blended
    price as a multiple of the entry price of the next tier down."""
    out: dict[str, dict[str, tuple[P, float]]] = {}
    for provider, tiers in tier_entries(params, as_of).items():
        steps = price_ladder({params.rank(t): blend(p, params) for t, p in tiers.items()})
        by_rank = {params.rank(t): t for t in tiers}
        out[provider] = {by_rank[r]: (tiers[by_rank[r]], m) for r, m in steps.items()}
    return out


def top_to_entry(params: PriceList[P], as_of: date
                 ) -> dict[str, tuple[P, P, float]]:
    """Per provider with at least two priced tiers: the entry product of its top tier, that
    of its lowest tier, and the ratio of their blended prices (x)."""
    out = {}
    for provider, tiers in tier_entries(params, as_of).items():
        ranked = sorted(tiers, key=params.rank)
        if len(ranked) >= 2 and blend(tiers[ranked[0]], params) > 0:
            top, low = tiers[ranked[-1]], tiers[ranked[0]]
            out[provider] = (top, low, blend(top, params) / blend(low, params))
    return out


def log10_or_none(x: float) -> float | None:
    return round(math.log10(x), 4) if x > 0 else None
