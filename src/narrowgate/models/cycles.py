"""Bitcoin halving-cycle arithmetic: align past cycles on their halving dates.

A cycle's path is price / price at its halving, indexed by days since the halving, so the
current cycle can be read against the same phase of earlier ones.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the calendar functions are pure Python, so evaluators import them cheaply
    import pandas as pd


def last_halving(day: date, halvings: list[date]) -> date:
    """The most recent halving on or before ``day``."""
    past = [h for h in sorted(halvings) if h <= day]
    if not past:
        raise ValueError(f"no halving on or before {day}")
    return past[-1]


def days_since_event(events: list[date], on: date) -> int:
    """Calendar days from the latest event on or before ``on`` to ``on``."""
    return (on - last_halving(on, events)).days


def cycle_lengths(events: list[date]) -> list[int]:
    """Days between consecutive events (one per completed cycle)."""
    return [(b - a).days for a, b in pairwise(sorted(events))]


def cycle_paths(prices: pd.Series, halvings: list[date], max_days: int) -> pd.DataFrame:
    """Columns: one per halving with data; index: days since that halving (0..max_days).

    Values are the close divided by the first close on or after the halving; calendar days,
    forward-filled (crypto trades every day, so fills only bridge gaps in the file).
    """
    import pandas as pd

    daily = prices.dropna().sort_index()
    columns: dict[str, pd.Series] = {}
    for halving in sorted(halvings):
        start = pd.Timestamp(halving)
        window = daily.loc[start : start + pd.Timedelta(days=max_days)]
        if window.empty or window.index[0] > start + pd.Timedelta(days=7):
            continue
        calendar = pd.date_range(start, min(window.index[-1], start + pd.Timedelta(days=max_days)))
        filled = window.reindex(calendar).ffill().bfill()
        path = filled / filled.iloc[0]
        path.index = (calendar - start).days
        columns[halving.isoformat()] = path
    return pd.DataFrame(columns)


def drawdown_from_cycle_high(path: pd.Series, day_index: int) -> float:
    """Fall from the highest value up to ``day_index`` to the value at ``day_index``."""
    upto = path.loc[:day_index].dropna()
    if upto.empty:
        return float("nan")
    return float(upto.iloc[-1] / upto.max() - 1.0)


def same_phase_dates(days_since: int, halvings: list[date]) -> dict[str, date]:
    """For each halving, the calendar date that sits ``days_since`` days after it."""
    return {
        h.isoformat(): h + timedelta(days=days_since) for h in halvings
    }
