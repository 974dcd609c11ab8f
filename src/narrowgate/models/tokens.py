"""Token economics: blended prices, Pareto frontiers and price ladders of LLM API offers.

Prices are USD per 1M tokens. A "blended" price weights input and output by a stated
input share (default 3:1 input:output, a common chat workload); the weight is a parameter
because the answer depends on it.

Why pure Python at the core: the price-frontier kind runs on a few dozen models and
evaluator modules must import without pandas, so the maths works on plain sequences and
the DataFrame helper (``pareto_frontier``) is a thin wrapper that imports pandas lazily.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def blended_price(
    input_usd_per_m: float, output_usd_per_m: float, input_share: float = 0.75
) -> float:
    """Price of 1M tokens of which ``input_share`` are input (prompt) tokens."""
    if not 0.0 <= input_share <= 1.0:
        raise ValueError("input_share is a fraction between 0 and 1")
    return input_share * input_usd_per_m + (1.0 - input_share) * output_usd_per_m


def pareto_mask(
    points: Sequence[Sequence[float]], maximise: Sequence[bool]
) -> list[bool]:
    """True where no other point is at least as good on every axis and strictly better on
    one. ``maximise[k]`` says whether axis k is better high (else low). Ties stay on the
    frontier together, because neither of two equal offers dominates the other."""
    signs = [-1.0 if up else 1.0 for up in maximise]
    scored = [[s * float(v) for s, v in zip(signs, p, strict=True)] for p in points]
    mask = []
    for i, mine in enumerate(scored):
        dominated = any(
            j != i
            and all(o <= m for o, m in zip(other, mine, strict=True))
            and any(o < m for o, m in zip(other, mine, strict=True))
            for j, other in enumerate(scored)
        )
        mask.append(not dominated)
    return mask


def pareto_frontier(
    offers: pd.DataFrame, minimise: list[str], maximise: list[str] | None = None
) -> pd.Series:
    """Boolean Series: True where no other row is at least as good on every column and
    strictly better on one (lower is better for ``minimise``, higher for ``maximise``)."""
    import pandas as pd

    maximise = maximise or []
    columns = [*minimise, *maximise]
    values = offers[columns].astype(float).to_numpy().tolist()
    mask = pareto_mask(values, [False] * len(minimise) + [True] * len(maximise))
    return pd.Series(mask, index=offers.index)


def price_ladder(entry_price_by_rank: Mapping[int, float]) -> dict[int, float]:
    """Each rung's price as a multiple of the next rung down that is present.

    ``entry_price_by_rank`` maps a tier rank (1 = cheapest tier) to that tier's entry
    price; the result maps each rank except the lowest to price(rank) / price(rank below).
    A rung whose lower neighbour costs nothing has no finite multiple and is left out.
    """
    ranks = sorted(entry_price_by_rank)
    return {
        up: entry_price_by_rank[up] / entry_price_by_rank[down]
        for down, up in pairwise(ranks)
        if entry_price_by_rank[down] > 0
    }


def quality_shortfall_pct(
    prices: Sequence[float], qualities: Sequence[float]
) -> list[float]:
    """Per model, how far (in % of the best) its quality falls short of the best quality
    on offer at the same or a lower price. 0 means the model is on the price–quality
    frontier; a small number means "near" it (a user sets how small in the params)."""
    out = []
    for price, quality in zip(prices, qualities, strict=True):
        best = max(q for p, q in zip(prices, qualities, strict=True) if p <= price)
        out.append(0.0 if best <= 0 else max(0.0, (best - quality) / best * 100.0))
    return out


def _ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks with ties given their average rank (as Spearman's rho needs)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for k in range(start, end + 1):
            ranks[order[k]] = (start + end) / 2.0 + 1.0
        start = end + 1
    return ranks


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman rank correlation; None with fewer than 3 pairs or a constant side.

    Ranks, not levels, because prices span three orders of magnitude and benchmark scales
    differ: the claim is about ordering ("stronger is dearer"), not a linear law.
    """
    if len(xs) != len(ys):
        raise ValueError("xs and ys differ in length")
    if len(xs) < 3:
        return None
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    if vx == 0 or vy == 0:
        return None
    return float(cov / (vx * vy) ** 0.5)


@dataclass(frozen=True)
class Offer:
    """One model as the mechanism test sees it: a name and its sourced numbers."""

    name: str
    price: float  # blended USD per 1M tokens
    quality: float
    usage_share: float | None = None
    speed_tps: float | None = None


@dataclass(frozen=True)
class ValueFrontier:
    """The price–quality frontier and where the most-used models sit against it."""

    frontier: list[str]  # names on the frontier, cheapest first
    shortfall_pct: dict[str, float]
    top_used: list[str]  # most used first
    near_share: float  # share of ``top_used`` within the near-frontier band
    strongest: str  # highest quality; the dearer among equals
    rho_price: float | None
    rho_speed: float | None
    n_speed: int


def value_frontier(offers: Sequence[Offer], top_used: int, near_pct: float) -> ValueFrontier:
    """Which offers are on the price–quality frontier, and whether usage follows it.

    A model is "near" the frontier when its quality shortfall (``quality_shortfall_pct``)
    is at most ``near_pct``. Only offers with a usage share count as used.
    """
    prices = [o.price for o in offers]
    qualities = [o.quality for o in offers]
    shortfall = dict(zip((o.name for o in offers), quality_shortfall_pct(prices, qualities),
                         strict=True))
    used = sorted((o for o in offers if o.usage_share is not None),
                  key=lambda o: -(o.usage_share or 0.0))[:top_used]
    near = sum(shortfall[o.name] <= near_pct for o in used) / len(used) if used else 0.0
    fast = [o for o in offers if o.speed_tps is not None]
    return ValueFrontier(
        frontier=[o.name for o in sorted(offers, key=lambda o: (o.price, o.name))
                  if shortfall[o.name] == 0],
        shortfall_pct=shortfall,
        top_used=[o.name for o in used],
        near_share=near,
        strongest=max(offers, key=lambda o: (o.quality, o.price)).name,
        rho_price=spearman(qualities, prices),
        rho_speed=spearman([o.quality for o in fast], [o.speed_tps or 0.0 for o in fast]),
        n_speed=len(fast),
    )
