"""Balance-sheet arithmetic for the Fed claims: pace of change and market regimes.

WALCL is weekly, in USD millions (FRED's unit); paces are returned in USD billions per
week so they read naturally next to the 2022–2025 QT pace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Pace:
    start: date
    end: date
    change_usd_bn: float
    weeks: float

    @property
    def per_week_usd_bn(self) -> float:
        return self.change_usd_bn / self.weeks if self.weeks else float("nan")


@dataclass(frozen=True)
class SeriesPace:
    """A series' change between two observations, and that change per period."""

    start: date
    end: date
    change: float
    periods: float

    @property
    def per_period(self) -> float:
        return self.change / self.periods if self.periods else float("nan")


def pace(values: pd.Series, start: date, end: date, period_days: float) -> SeriesPace:
    """Change from the first observation on/after ``start`` to the last on/before ``end``,
    in the series' unit, and the number of ``period_days``-long periods between them."""
    window = values.dropna().loc[pd.Timestamp(start) : pd.Timestamp(end)]
    if len(window) < 2:
        raise ValueError(f"fewer than two observations between {start} and {end}")
    first, last = window.index[0], window.index[-1]
    return SeriesPace(first.date(), last.date(), float(window.iloc[-1] - window.iloc[0]),
                      (last - first).days / period_days)


def balance_sheet_pace(walcl_usd_mn: pd.Series, start: date, end: date) -> Pace:
    """:func:`pace` of Fed total assets in weeks, the change in USD bn (from USD mn)."""
    weekly = pace(walcl_usd_mn, start, end, 7.0)
    return Pace(weekly.start, weekly.end, weekly.change / 1000.0, weekly.periods)


def balance_sheet_regimes(walcl: pd.Series, window_weeks: int = 13) -> pd.Series:
    """'shrinking' or 'growing' by the sign of the trailing ``window_weeks`` change."""
    change = walcl.dropna().diff(window_weeks)
    labels = np.where(change < 0, "shrinking", "growing")
    return pd.Series(labels, index=change.index).where(change.notna()).dropna()


def returns_by_regime(
    closes: pd.DataFrame, regimes: pd.Series, periods_per_year: float = 252.0
) -> pd.DataFrame:
    """Annualised mean log return of each column while each regime held.

    The regime known at the close of day t−1 applies to the return of day t (no look-ahead).
    Rows: regimes; columns: instruments; plus 'days' (observations per regime).
    """
    closes = closes.sort_index()
    log_returns = closes.apply(np.log).diff()
    regime_daily = regimes.sort_index().reindex(closes.index, method="ffill").shift(1)
    frame = log_returns.assign(regime=regime_daily).dropna(subset=["regime"])
    grouped = frame.groupby("regime")
    out = grouped.mean() * periods_per_year
    out["days"] = grouped.size()
    return out
