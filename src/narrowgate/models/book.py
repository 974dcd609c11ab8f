"""A combined book of trades: every trade's equity rebased at one start, held together.

Why here: the arithmetic is pure (dated equity paths in, one path and its weights out), so
the evaluator (:mod:`narrowgate.evaluate.book`) only reads curves and closes around it.

Conventions (the report states them):
- A sleeve is one trade's equity path (× its initial capital), rebased to 1 at the start
  (its last point on or before the start; a trade entered later is cash, 1, until its first
  point). After its last point a sleeve is held as cash at its last value.
- ``equal-weight``: each sleeve gets 1/N of the capital at the start and is never rebalanced.
- ``equal-risk``: each sleeve gets capital in proportion to 1 / its daily volatility over the
  measured window (ex post: the weights use the window they are scored on), never rebalanced.
- The calendar is the union of the sleeves' dates that fall on weekdays, plus the last date
  of all (so every trade's final value counts even when it falls on a weekend). A sleeve
  reads, on each calendar date, its last point on or before it: a crypto sleeve's weekend
  close shows on the next calendar date, so every sleeve is sampled on one trading calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise

#: trading days a year, for annualising the book's daily returns
PERIODS_PER_YEAR = 252
#: a sleeve needs this many daily returns for its volatility (equal risk)
MIN_RETURNS = 2


class BookWeighting(StrEnum):
    """How the book splits its capital between trades at the start."""

    EQUAL_WEIGHT = "equal-weight"
    EQUAL_RISK = "equal-risk"


@dataclass(frozen=True)
class Sleeve:
    """One trade's dated equity path (× initial capital, any scale)."""

    name: str
    dates: list[date]
    values: list[float]


@dataclass(frozen=True)
class BookPath:
    """The combined book: its dates, its value (1 at the start) and each sleeve's weight
    (fractions of the starting capital, summing to 1)."""

    dates: list[date]
    values: list[float]
    weights: dict[str, float]


def rebased_at(dates: Sequence[date], values: Sequence[float], start: date
               ) -> tuple[list[date], list[float]]:
    """The path from its last point on or before ``start`` (its first point when it starts
    later), divided by that point's value so it reads 1 there."""
    first = max((i for i, d in enumerate(dates) if d <= start), default=0)
    base = values[first]
    if base == 0:
        raise ValueError("a sleeve's value at the start is 0; it cannot be rebased")
    return list(dates[first:]), [v / base for v in values[first:]]


def combine(sleeves: Sequence[Sleeve], start: date, weighting: BookWeighting) -> BookPath:
    """The book of ``sleeves`` held from ``start`` (see the module's conventions)."""
    if not sleeves:
        raise ValueError("a book needs at least one sleeve")
    rebased = [rebased_at(s.dates, s.values, start) for s in sleeves]
    last = max(ds[-1] for ds, _ in rebased)
    grid = sorted({d for ds, _ in rebased for d in ds if d.weekday() < 5} | {last})
    paths = [_on_grid(ds, vs, grid) for ds, vs in rebased]
    weights = _weights([s.name for s in sleeves], paths, weighting)
    values = [sum(w * path[i] for w, path in zip(weights.values(), paths, strict=True))
              for i in range(len(grid))]
    return BookPath(dates=grid, values=values, weights=weights)


def _on_grid(dates: list[date], values: list[float], grid: list[date]) -> list[float]:
    """The sleeve on the grid: its last point on or before each grid date; 1 before its
    first point (cash), its last value after its last point."""
    out: list[float] = []
    last, k = 1.0, 0
    for d in grid:
        while k < len(dates) and dates[k] <= d:
            last, k = values[k], k + 1
        out.append(last)
    return out


def _weights(names: list[str], paths: list[list[float]], weighting: BookWeighting
             ) -> dict[str, float]:
    if weighting is BookWeighting.EQUAL_WEIGHT:
        raw = [1.0] * len(paths)
    else:
        raw = [1.0 / vol if (vol := _daily_vol(p)) > 0 else 0.0 for p in paths]
        if not any(raw):
            raw = [1.0] * len(paths)
    total = sum(raw)
    return {name: w / total for name, w in zip(names, raw, strict=True)}


def _daily_vol(path: list[float]) -> float:
    """Sample standard deviation of the path's daily returns while it moves (flat cash
    stretches before entry and after exit are left out)."""
    returns = [b / a - 1 for a, b in pairwise(path) if a and b != a]
    if len(returns) < MIN_RETURNS:
        return 0.0
    mean = sum(returns) / len(returns)
    return float((sum((r - mean) ** 2 for r in returns) / (len(returns) - 1)) ** 0.5)


@dataclass(frozen=True)
class PathStats:
    """A value path's figures: total return (%), max drawdown (%, ≤ 0), volatility
    (% a year, daily returns × √252) and Sharpe (annualised, risk-free 0)."""

    total_return_pct: float
    max_drawdown_pct: float
    volatility_pct: float
    sharpe: float | None


def path_stats(values: Sequence[float]) -> PathStats:
    """Figures of a path that starts at its first value (metrics from backtest.metrics)."""
    import numpy as np

    from narrowgate.backtest.metrics import annual_volatility, max_drawdown, sharpe_ratio

    arr = np.asarray(values, dtype=np.float64)
    returns = arr[1:] / arr[:-1] - 1.0
    vol = annual_volatility(returns, periods_per_year=PERIODS_PER_YEAR)
    sharpe = sharpe_ratio(returns, risk_free_per_period=0.0, periods_per_year=PERIODS_PER_YEAR)
    return PathStats(
        total_return_pct=float((arr[-1] / arr[0] - 1.0) * 100),
        max_drawdown_pct=float(max_drawdown(returns) * 100) if returns.size else 0.0,
        volatility_pct=float(vol * 100) if np.isfinite(vol) else 0.0,
        sharpe=float(sharpe) if np.isfinite(sharpe) else None,
    )
