"""Summary of an event study (see ``models.events.event_window_stats``) in a few numbers.

Why a separate summary: a reader needs "what usually happened after a hike" — the mean
and median return after, how often prices fell, and how often realised volatility was
lower afterwards (the sign that squeezes got harder) — not a table of overlapping windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class EventSummary:
    """Fractions (0.05 = 5%); volatilities annualised as in the per-event table."""

    events: int
    mean_return_before: float
    mean_return_after: float
    median_return_after: float
    share_negative_after: float
    mean_vol_before: float
    mean_vol_after: float
    share_lower_vol_after: float


def summarise_events(stats: pd.DataFrame) -> EventSummary:
    """Means, medians and shares over the rows of an event-window table."""
    if stats.empty:
        raise ValueError("no event has a full window inside the price data")
    return EventSummary(
        events=len(stats),
        mean_return_before=float(stats["return_before"].mean()),
        mean_return_after=float(stats["return_after"].mean()),
        median_return_after=float(stats["return_after"].median()),
        share_negative_after=float((stats["return_after"] < 0).mean()),
        mean_vol_before=float(stats["vol_before"].mean()),
        mean_vol_after=float(stats["vol_after"].mean()),
        share_lower_vol_after=float((stats["vol_after"] < stats["vol_before"]).mean()),
    )
