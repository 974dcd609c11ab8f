"""A series against its own past: transforms, a linear trend over a baseline, the deviation.

Why a trend and not a level: "unemployment rises" or "inflation falls" only mean something
against where the series was already heading. The baseline trend is an ordinary
least-squares line through the transformed observations of a window before the start
date, extended to the date of the reading; the deviation is the reading minus that line
(in the series' own units, "points") or relative to it ("percent").

Conventions: series are indexed by observation date (ascending), values in the source's
units (FRED's: percent for UNRATE, persons for ICSA, index points for CPI). Pure: series in,
numbers out, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

Transform = Literal["level", "yoy_pct"]
DeviationUnit = Literal["points", "percent"]

#: how far back a "year-ago" observation may sit from exactly 365 days earlier
_YEAR_AGO_TOLERANCE_DAYS = 16


def transform_series(values: pd.Series, transform: Transform) -> pd.Series:
    """``level`` as given; ``yoy_pct``: percent change from the observation one year
    earlier (the latest observation on or before date − 365 days, within 16 days; earlier
    points without one are dropped). Works for monthly, weekly and daily series alike."""
    clean = values.dropna().sort_index().astype("float64")
    if transform == "level":
        return clean
    index = pd.DatetimeIndex(clean.index)
    year_ago = index - pd.Timedelta(days=365)
    pos = index.searchsorted(year_ago, side="right") - 1
    valid = pos >= 0
    prior_dates = index[np.clip(pos, 0, None)]
    close_enough = (year_ago - prior_dates) <= pd.Timedelta(days=_YEAR_AGO_TOLERANCE_DAYS)
    keep = valid & close_enough
    prior = clean.to_numpy()[np.clip(pos, 0, None)]
    out = (clean.to_numpy() / prior - 1.0) * 100.0
    return pd.Series(out[keep], index=clean.index[keep], name=values.name)


@dataclass(frozen=True)
class TrendReading:
    """A reading against the baseline trend (or the start value), with its dates."""

    reading: float  # mean of the last ``smooth`` transformed observations
    reading_date: date  # date of the last observation used
    expected: float  # trend line (or start value) at ``reading_date``
    deviation: float  # reading − expected (points) or (reading / expected − 1) · 100
    baseline_first: date
    baseline_last: date
    baseline_points: int
    slope_per_year: float  # trend slope in transformed units per year (0 against a start)


def deviation_from_trend(
    series: pd.Series,
    *,
    baseline_start: date,
    start: date,
    end: date,
    smooth: int = 1,
    against: Literal["trend", "start"] = "trend",
    unit: DeviationUnit = "points",
    min_baseline_points: int = 6,
) -> TrendReading:
    """Where ``series`` stands at ``end`` against its path before ``start``.

    ``trend``: OLS line through the observations in [baseline_start, start), evaluated at
    the reading's date. ``start``: the last observation before ``start`` (a plain change).
    The reading averages the last ``smooth`` observations on or before ``end`` (weekly
    claims are noisy). Raises ValueError naming what is short.
    """
    clean = series.dropna().sort_index()
    base = clean.loc[pd.Timestamp(baseline_start) : pd.Timestamp(start) - pd.Timedelta(days=1)]
    if len(base) < (min_baseline_points if against == "trend" else 1):
        raise ValueError(f"{len(base)} observations between {baseline_start} and {start}, "
                         f"fewer than {min_baseline_points}")
    after = clean.loc[pd.Timestamp(start) : pd.Timestamp(end)]
    if len(after) < smooth:
        raise ValueError(f"{len(after)} observations between {start} and {end}, "
                         f"fewer than the {smooth} the reading averages")
    last = after.iloc[-smooth:]
    reading = float(last.mean())
    reading_day = last.index[-1]
    if against == "trend":
        x = (base.index - base.index[0]).days.to_numpy(dtype="float64")
        slope, intercept = np.polyfit(x, base.to_numpy(dtype="float64"), 1)
        # the smoothed reading is centred on its window, so the trend is taken there too
        at = float(((last.index - base.index[0]).days.to_numpy(dtype="float64")).mean())
        expected = float(intercept + slope * at)
        slope_year = float(slope * 365.25)
    else:
        expected, slope_year = float(base.iloc[-1]), 0.0
    if unit == "points":
        deviation = reading - expected
    else:
        if expected == 0:
            raise ValueError("the expected value is 0: a percent deviation is not meaningful")
        deviation = (reading / expected - 1.0) * 100.0
    return TrendReading(reading, reading_day.date(), expected, deviation,
                        base.index[0].date(), base.index[-1].date(), len(base), slope_year)


def trend_line(series: pd.Series, *, baseline_start: date, start: date, end: date
               ) -> pd.Series:
    """The baseline OLS line over the series' own dates from ``baseline_start`` to ``end``
    (for charts: the path the reading is compared with)."""
    clean = series.dropna().sort_index()
    base = clean.loc[pd.Timestamp(baseline_start) : pd.Timestamp(start) - pd.Timedelta(days=1)]
    if len(base) < 2:
        raise ValueError("fewer than two baseline observations")
    x = (base.index - base.index[0]).days.to_numpy(dtype="float64")
    slope, intercept = np.polyfit(x, base.to_numpy(dtype="float64"), 1)
    span = clean.loc[pd.Timestamp(baseline_start) : pd.Timestamp(end)].index
    days = (span - base.index[0]).days.to_numpy(dtype="float64")
    return pd.Series(intercept + slope * days, index=span)
