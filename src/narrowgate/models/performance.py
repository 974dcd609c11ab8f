"""Price-path arithmetic for "since publication" checks: pure functions on pandas objects.

Conventions: prices are closes indexed by date (ascending); returns are simple fractions
(0.05 = +5%); a basket is bought once at the anchor close with the given weights and then
held (weights drift with prices) — the honest reading of "buy X and Y on that day".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Window:
    """The dates a comparison actually used (after aligning instruments' calendars)."""

    start: date
    end: date


def last_close_before(closes: pd.Series | pd.DataFrame, day: date) -> date:
    """The last trading date strictly before ``day`` (outcomes start at that close)."""
    index = (
        closes.dropna(how="all").index
        if isinstance(closes, pd.DataFrame)
        else closes.dropna().index
    )
    earlier = index[index < pd.Timestamp(day)]
    if len(earlier) == 0:
        raise ValueError(f"no close before {day}")
    return earlier[-1].date()


def common_window(closes: pd.DataFrame, start: date, end: date) -> Window:
    """The widest window inside [start, end] where every column has a close at both ends."""
    frame = closes.loc[pd.Timestamp(start) : pd.Timestamp(end)].dropna(how="any")
    if frame.empty:
        raise ValueError(f"no date between {start} and {end} where all of {list(closes)} trade")
    return Window(frame.index[0].date(), frame.index[-1].date())


def total_return(prices: pd.Series, start: date, end: date) -> float:
    """Simple return from the close at ``start`` to the close at ``end`` (exact dates)."""
    return float(prices.loc[pd.Timestamp(end)] / prices.loc[pd.Timestamp(start)] - 1.0)


def return_as_of(prices: pd.Series, start: date, end: date) -> float:
    """Simple return (decimal) from the last close on or before ``start`` to the last on or
    before ``end``: for dates that need not be trading days (e.g. another series' dates)."""
    index = pd.DatetimeIndex(prices.index)
    first = prices[index <= pd.Timestamp(start)].iloc[-1]
    last = prices[index <= pd.Timestamp(end)].iloc[-1]
    return float(last / first - 1.0)


def normalised_path(closes: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Each column divided by its close at ``start``: 1.0 at the anchor."""
    frame = closes.loc[pd.Timestamp(start) : pd.Timestamp(end)].ffill()
    return frame / frame.iloc[0]


def basket_path(
    closes: pd.DataFrame, weights: dict[str, float], start: date, end: date
) -> pd.Series:
    """Value of a buy-and-hold basket worth 1.0 at ``start`` (weights are normalised)."""
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("basket weights must sum to a positive number")
    path = normalised_path(closes[list(weights)], start, end)
    return sum(path[name] * (w / total) for name, w in weights.items())  # type: ignore[return-value]


def long_short_path(
    closes: pd.DataFrame,
    long: dict[str, float],
    short: dict[str, float],
    start: date,
    end: date,
) -> pd.Series:
    """P&L per unit of each leg's gross, equal gross on both sides, held from ``start``.

    Value = 1 + (long basket − 1) − (short basket − 1): a dollar long and a dollar short,
    no rebalancing, no financing or borrow cost (the back-test engine adds those).
    """
    return (
        1.0
        + (basket_path(closes, long, start, end) - 1.0)
        - (basket_path(closes, short, start, end) - 1.0)
    )


def max_drawdown(path: pd.Series) -> float:
    """Largest peak-to-trough fall of a value path, as a negative fraction (0 if none)."""
    values = path.to_numpy(dtype=float)
    peaks = np.maximum.accumulate(values)
    return float(np.min(values / peaks - 1.0)) if len(values) else 0.0


def is_record_close(prices: pd.Series, day: date) -> tuple[bool, float, date | None]:
    """Whether the close on ``day`` beat every earlier close; also the prior record."""
    stamp = pd.Timestamp(day)
    earlier = prices.loc[: stamp - pd.Timedelta(days=1)].dropna()
    if earlier.empty:
        return True, float("nan"), None
    prior_max = float(earlier.max())
    prior_day = earlier.index[int(np.argmax(earlier.to_numpy()))].date()
    return bool(prices.loc[stamp] > prior_max), prior_max, prior_day
