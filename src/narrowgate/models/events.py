"""Event study: what prices did after each dated event (e.g. a margin hike).

Windows are counted in trading days of the price series; the event day's own return is
excluded from "after" (a change effective at the close acts on the next session).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd


def event_window_stats(
    closes: pd.Series, events: list[date], days: int = 10, periods_per_year: float = 252.0
) -> pd.DataFrame:
    """Per event: return over the ``days`` sessions before and after, and the realised
    volatility (annualised) of daily log returns in each window. Events outside the data
    are left out."""
    prices = closes.dropna().sort_index()
    log_ret = np.log(prices).diff()
    rows = []
    for event in events:
        position = prices.index.searchsorted(pd.Timestamp(event), side="right") - 1
        if position < days or position + days >= len(prices):
            continue
        before = log_ret.iloc[position - days + 1 : position + 1]
        after = log_ret.iloc[position + 1 : position + days + 1]
        rows.append(
            {
                "event": event,
                "anchor": pd.Timestamp(prices.index[int(position)]).date(),
                "return_before": float(np.expm1(before.sum())),
                "return_after": float(np.expm1(after.sum())),
                "vol_before": float(before.std(ddof=1) * np.sqrt(periods_per_year)),
                "vol_after": float(after.std(ddof=1) * np.sqrt(periods_per_year)),
            }
        )
    return pd.DataFrame(rows)
