"""Liquidity arithmetic for the Fed and Hong Kong claims: level changes of policy series and
how an asset's monthly returns line up with a liquidity proxy's monthly changes.

Conventions: inputs are date-indexed levels (prices, USD millions, %); changes are simple
fractions (0.05 = +5 %) except ``LevelChange.change``, which stays in the series' unit (a
policy rate moves in percentage points, not percent). Months end on the last observation
of the calendar month, so weekly (WALCL), daily (DXY) and monthly series align.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd


@dataclass(frozen=True)
class LevelChange:
    """A series read at two dates: the last observation on or before each."""

    start: date
    end: date
    start_value: float
    end_value: float

    @property
    def change(self) -> float:
        """End minus start, in the series' own unit (e.g. percentage points for a rate)."""
        return self.end_value - self.start_value

    @property
    def pct(self) -> float:
        """Change as a fraction of the start value."""
        return self.end_value / self.start_value - 1.0


def level_change(levels: pd.Series, start: date, end: date) -> LevelChange:
    """The series at the last observation on/before ``start`` and on/before ``end``.

    "On or before" because a monthly average dated the 1st (FEDFUNDS) or a weekly level dated
    Wednesday (WALCL) is what was known at a date in between.
    """
    values = levels.dropna().sort_index()
    before_start = values.loc[: pd.Timestamp(start)]
    before_end = values.loc[: pd.Timestamp(end)]
    if before_start.empty:
        raise ValueError(f"no observation on or before {start}")
    if before_end.index[-1] <= before_start.index[-1]:
        raise ValueError(f"no observation after {before_start.index[-1].date()} up to {end}")
    return LevelChange(
        before_start.index[-1].date(),
        before_end.index[-1].date(),
        float(before_start.iloc[-1]),
        float(before_end.iloc[-1]),
    )


def monthly_changes(levels: pd.Series, *, points: bool = False) -> pd.Series:
    """Change of the month-end level (last observation in each calendar month): a simple
    fraction, or with ``points`` the difference in the series' unit (rates and spreads,
    whose levels can cross zero). Indexed by month end; the first month is dropped.
    """
    values = levels.dropna().sort_index()
    stamps = pd.DatetimeIndex(values.index)
    month_end = values.groupby(stamps.to_period("M")).last()
    change = (month_end.diff() if points else month_end.pct_change()).dropna()
    change.index = pd.PeriodIndex(change.index).to_timestamp(how="end").normalize()
    return change


def aligned_changes(asset_levels: pd.Series, proxy_levels: pd.Series, *,
                    proxy_points: bool = False) -> pd.DataFrame:
    """Monthly changes of an asset and a proxy side by side, months where both exist.

    Columns ``asset`` and ``proxy``; a month counts only when both series had a level at the
    end of it and of the month before. ``proxy_points``: the proxy's change in its own
    unit (see :func:`monthly_changes`).
    """
    frame = pd.DataFrame(
        {"asset": monthly_changes(asset_levels),
         "proxy": monthly_changes(proxy_levels, points=proxy_points)}
    )
    return frame.dropna()


@dataclass(frozen=True)
class Correlation:
    """Pearson correlation of monthly changes over ``months`` months from ``start`` to ``end``."""

    value: float
    months: int
    start: date
    end: date


def full_correlation(changes: pd.DataFrame) -> Correlation:
    """Correlation of the ``asset`` and ``proxy`` columns over the whole frame."""
    if len(changes) < 3:
        raise ValueError(f"need at least 3 common months for a correlation, got {len(changes)}")
    value = float(changes["asset"].corr(changes["proxy"]))
    return Correlation(value, len(changes), changes.index[0].date(), changes.index[-1].date())


def beta(changes: pd.DataFrame) -> float:
    """Least-squares slope of ``asset`` on ``proxy``: the asset's change per unit of the
    proxy's change (both simple fractions), i.e. cov(asset, proxy) / var(proxy)."""
    if len(changes) < 3:
        raise ValueError(f"need at least 3 common months for a beta, got {len(changes)}")
    return float(changes["asset"].cov(changes["proxy"]) / changes["proxy"].var())


def rolling_correlation(changes: pd.DataFrame, window_months: int) -> pd.Series:
    """Trailing ``window_months`` correlation of ``asset`` with ``proxy`` (NaN until full)."""
    if window_months < 3:
        raise ValueError("a rolling correlation needs a window of at least 3 months")
    return changes["asset"].rolling(window_months).corr(changes["proxy"]).dropna()


def share_at_least(values: pd.Series, threshold: float) -> float:
    """Fraction of observations whose absolute value is at least ``threshold`` (NaN if none)."""
    clean = values.dropna()
    if clean.empty:
        return float("nan")
    return float((clean.abs() >= threshold).mean())


__all__ = [
    "Correlation",
    "LevelChange",
    "aligned_changes",
    "beta",
    "full_correlation",
    "level_change",
    "monthly_changes",
    "rolling_correlation",
    "share_at_least",
]
