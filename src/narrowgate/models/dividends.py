"""Cash dividends inferred from two price files of one fund: raw and dividend back-adjusted.

Convention (the usual back-adjustment, as Yahoo and CRSP apply it). A cash dividend ``D``
going ex on date ``x`` multiplies every close *before* ``x`` by

    m_x = 1 − D / C_{x−1}

where ``C_{x−1}`` is the raw close on the last trading day before ``x``. Each dividend does
this on its own, so the adjusted close is ``A_t = C_t × f_t`` with the adjustment factor
``f_t = Π_{x > t} m_x`` (the product over ex-dates after ``t``). Across one ex-date every
later multiplier cancels:

    f_{x−1} / f_x = m_x   ⇒   D = C_{x−1} × (1 − f_{x−1} / f_x)

so the factor steps *up* on each ex-date, and the dividend per share (in the raw price's
currency and share basis) is the previous raw close times the step. Two consequences:

* a file adjusted "as of" a later date (more dividends folded in) gives the same
  dividends — later multipliers scale both sides of the ratio;
* a constant scale between the two files (another split basis) cancels too. A split
  between them that is not in both files would show as a factor step down: refused.

Rounding. Adjusted closes stored with ``decimals`` decimals carry an error of up to
``h = 0.5 × 10^−decimals`` each, so the relative step ``1 − f_{x−1}/f_x`` is uncertain by
about ``h / A_{x−1} + h / A_x``; a step counts as a dividend only when it exceeds both
``tolerance`` and twice that rounding bound. Dates are aligned on the days both files
hold; a day missing from one file makes the step span two days (the dividend is then read
against the last common raw close).

Pure functions on pandas Series indexed by date; nothing here reads files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from narrowgate.models.valuation import require_valid


def adjustment_factor(raw: pd.Series, adjusted: pd.Series) -> pd.Series:
    """``adjusted / raw`` on the dates both series hold (positive values only), sorted."""
    frame = pd.concat({"raw": raw, "adjusted": adjusted}, axis=1, sort=True).dropna()
    frame = frame[(frame["raw"] > 0) & (frame["adjusted"] > 0)]
    require_valid(len(frame) >= 2, "need at least two common dates with positive prices")
    factor = (frame["adjusted"] / frame["raw"]).astype(float)
    factor.index = pd.DatetimeIndex(factor.index)
    return factor.sort_index()


def infer_dividends(
    raw: pd.Series,
    adjusted: pd.Series,
    *,
    tolerance: float = 1e-5,
    decimals: int | None = 4,
) -> pd.DataFrame:
    """Ex-dates and cash dividends per share from a raw and a back-adjusted close series.

    Returns a frame indexed by ex-date with columns ``dividend`` (currency per share),
    ``prev_close`` (raw close of the previous common date) and ``step``
    (``1 − f_{x−1}/f_x`` = dividend / previous close, a decimal). ``tolerance`` is the
    smallest step counted (decimal of the price); ``decimals`` the adjusted file's rounding
    (None: no rounding bound). A factor step *down* beyond the noise is not a dividend
    back-adjustment (an unmatched split, or two different funds): ValuationInputError.
    """
    require_valid(tolerance >= 0, f"tolerance must be non-negative, got {tolerance:g}")
    frame = pd.concat({"raw": raw, "adjusted": adjusted}, axis=1, sort=True).dropna()
    frame.index = pd.DatetimeIndex(frame.index)
    factor = adjustment_factor(frame["raw"], frame["adjusted"])
    frame = frame.loc[factor.index]
    step = 1.0 - factor.shift(1) / factor
    if decimals is None:
        noise = pd.Series(0.0, index=factor.index)
    else:
        half = 0.5 * 10.0 ** (-decimals)
        noise = 2.0 * (half / frame["adjusted"].shift(1) + half / frame["adjusted"])
    threshold = noise.clip(lower=tolerance)
    down = step[step < -threshold]
    require_valid(
        down.empty,
        "the adjustment factor falls at "
        + ", ".join(f"{d} ({s:.4%})" for d, s in
                    list(zip(pd.DatetimeIndex(down.index).date, down, strict=True))[:3])
        + ": not a dividend back-adjustment (a split in one file only, or different funds?)",
    )
    hits = step[step > threshold]
    prev_close = frame["raw"].shift(1).loc[hits.index]
    result = pd.DataFrame(
        {"dividend": prev_close * hits, "prev_close": prev_close, "step": hits}
    )
    result.index.name = "ex_date"
    return result


@dataclass(frozen=True)
class TrailingYield:
    """Trailing dividend yield at ``at``: dividends with ex-dates in (window_start, at]
    over the raw close on ``price_date`` (the last common date on or before ``at``)."""

    at: date
    window_start: date
    dividends: float  # currency per share, summed over the window
    price: float  # raw close
    price_date: date
    dividend_yield: float  # decimal per year (12-month window)
    ex_dates: tuple[date, ...]

    @property
    def count(self) -> int:
        return len(self.ex_dates)


def trailing_dividend_yield(
    raw: pd.Series,
    adjusted: pd.Series,
    at: date,
    *,
    months: int = 12,
    tolerance: float = 1e-5,
    decimals: int | None = 4,
) -> TrailingYield:
    """Dividends over the ``months`` before ``at`` divided by the raw close at ``at``.

    The window is (at − months, at] in calendar months; the yield is annualised by
    12 / months. Both files must reach back to the window start (a dividend going ex on
    its first day is detected from the day before), else ValuationInputError.
    """
    require_valid(1 <= months <= 120, f"months must be in 1..120, got {months}")
    stamp = pd.Timestamp(at)
    start = stamp - pd.DateOffset(months=months)
    dividends = infer_dividends(raw, adjusted, tolerance=tolerance, decimals=decimals)
    factor = adjustment_factor(raw, adjusted)
    require_valid(
        factor.index[0] <= start,
        f"the files start {factor.index[0].date()}, after the window start {start.date()}",
    )
    upto = factor.loc[:stamp]
    require_valid(not upto.empty, f"no common closes on or before {at}")
    price_date = upto.index[-1]
    aligned_raw = pd.Series(raw, dtype=float)
    aligned_raw.index = pd.DatetimeIndex(aligned_raw.index)
    price = float(aligned_raw.loc[price_date])
    window = dividends[(dividends.index > start) & (dividends.index <= stamp)]
    total = float(window["dividend"].sum())
    return TrailingYield(
        at=at,
        window_start=start.date(),
        dividends=total,
        price=price,
        price_date=price_date.date(),
        dividend_yield=total / price * 12.0 / months,
        ex_dates=tuple(d.date() for d in window.index),
    )


__all__ = [
    "TrailingYield",
    "adjustment_factor",
    "infer_dividends",
    "trailing_dividend_yield",
]
