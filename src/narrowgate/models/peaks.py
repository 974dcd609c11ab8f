"""Peaks and drawdowns of a price path: "has it topped?" and "how long to recover?".

Conventions: prices are closes indexed by date (ascending, no NaN after ``dropna``);
"after" a baseline means strictly later dates; drawdowns are negative fractions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PeakCheck:
    """The peak before a baseline and whether a later close beat it."""

    prior_peak: float
    prior_peak_date: date
    after_max: float
    after_max_date: date
    first_new_high: date | None

    @property
    def new_high(self) -> bool:
        return self.first_new_high is not None

    @property
    def after_max_vs_peak(self) -> float:
        """Highest close after the baseline relative to the prior peak (−0.1 = 10% below)."""
        return self.after_max / self.prior_peak - 1.0


def peak_check(prices: pd.Series, lookback_start: date, baseline: date) -> PeakCheck:
    """Peak over [lookback_start, baseline] and the first close after baseline above it."""
    values = prices.dropna().sort_index()
    before = values.loc[pd.Timestamp(lookback_start) : pd.Timestamp(baseline)]
    after = values.loc[values.index > pd.Timestamp(baseline)]
    if before.empty or after.empty:
        raise ValueError(f"need closes both before and after {baseline}")
    peak_at = before.index[int(np.argmax(before.to_numpy(dtype=float)))]
    high_at = after.index[int(np.argmax(after.to_numpy(dtype=float)))]
    above = after[after > before.max()]
    return PeakCheck(
        prior_peak=float(before.max()),
        prior_peak_date=pd.Timestamp(peak_at).date(),
        after_max=float(after.max()),
        after_max_date=pd.Timestamp(high_at).date(),
        first_new_high=pd.Timestamp(above.index[0]).date() if len(above) else None,
    )


@dataclass(frozen=True)
class Drawdown:
    """The deepest peak-to-trough fall of a path and when (if ever) it was made good."""

    depth: float
    peak_date: date
    trough_date: date
    recovered_date: date | None
    sessions_to_recover: int | None


def deepest_drawdown(path: pd.Series) -> Drawdown:
    """Max drawdown with its peak, trough and the first later close at or above the peak.

    ``sessions_to_recover`` counts rows (trading sessions) from trough to recovery.
    """
    values = path.dropna().sort_index()
    if values.empty:
        raise ValueError("an empty path has no drawdown")
    arr = values.to_numpy(dtype=float)
    peaks = np.maximum.accumulate(arr)
    falls = arr / peaks - 1.0
    trough = int(np.argmin(falls))
    peak = int(np.argmax(arr[: trough + 1]))
    later = np.nonzero(arr[trough:] >= arr[peak])[0]
    recovered = trough + int(later[0]) if falls[trough] < 0 and len(later) else None
    stamp = values.index
    return Drawdown(
        depth=float(falls[trough]),
        peak_date=pd.Timestamp(stamp[peak]).date(),
        trough_date=pd.Timestamp(stamp[trough]).date(),
        recovered_date=pd.Timestamp(stamp[recovered]).date() if recovered is not None else None,
        sessions_to_recover=recovered - trough if recovered is not None else None,
    )
