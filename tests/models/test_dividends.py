"""Dividends inferred from raw vs dividend back-adjusted closes: by hand, then on real files."""

from __future__ import annotations

import csv
from datetime import date
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest

from narrowgate.models.dividends import (
    adjustment_factor,
    infer_dividends,
    trailing_dividend_yield,
)
from narrowgate.models.valuation import ValuationInputError
from tests.conftest import require_shared

DAYS = pd.bdate_range("2025-01-01", periods=10)
RAW = pd.Series([100.0, 101.0, 102.0, 100.0, 99.0, 98.0, 99.5, 101.0, 100.5, 102.0], DAYS)
# Ex-dates: day 3 pays 1.00 (previous close 102.0), day 7 pays 0.50 (previous close 99.5).
EX = [(DAYS[3], 1.00), (DAYS[7], 0.50)]


def back_adjust(raw: pd.Series, events: list[tuple[pd.Timestamp, float]]) -> pd.Series:
    """Yahoo-style back-adjustment written out: every close before an ex-date times
    (1 − D / previous close)."""
    adjusted = raw.copy()
    for ex, dividend in events:
        previous = raw[raw.index < ex].iloc[-1]
        adjusted[adjusted.index < ex] *= 1.0 - dividend / previous
    return adjusted


def test_constructed_series_exact_without_rounding() -> None:
    adjusted = back_adjust(RAW, EX)
    found = infer_dividends(RAW, adjusted, decimals=None)
    assert list(found.index) == [DAYS[3], DAYS[7]]
    assert found["dividend"].tolist() == pytest.approx([1.00, 0.50], abs=1e-12)
    assert found["prev_close"].tolist() == [102.0, 99.5]
    assert found["step"].tolist() == pytest.approx([1.0 / 102.0, 0.5 / 99.5], abs=1e-15)
    factor = adjustment_factor(RAW, adjusted)
    # after the last ex-date the factor is 1; before the first it is the product
    assert factor.iloc[-1] == 1.0
    assert factor.iloc[0] == pytest.approx((1 - 1 / 102.0) * (1 - 0.5 / 99.5), abs=1e-15)


def test_four_decimal_rounding_is_not_a_dividend() -> None:
    adjusted = back_adjust(RAW, EX).round(4)
    found = infer_dividends(RAW, adjusted)  # default tolerance, 4-decimal noise bound
    assert list(found.index) == [DAYS[3], DAYS[7]]
    # rounding error ≤ 0.00005 per close → dividend error ≤ ~100 × 2 × 0.00005 / 100 = 1e-4
    assert found["dividend"].tolist() == pytest.approx([1.00, 0.50], abs=2e-4)
    # a tiny dividend (0.05 bp of the price) is below the default tolerance of 1e-5
    small = back_adjust(RAW, [(DAYS[5], 0.0005)]).round(4)
    assert infer_dividends(RAW, small).empty


def test_a_later_adjustment_and_a_constant_scale_change_nothing() -> None:
    """Dividends after the window (a file adjusted 'as of' a later date) multiply all
    earlier factors alike and cancel; so does a constant scale between the files."""
    later = back_adjust(RAW, EX) * 0.99
    found = infer_dividends(RAW, later, decimals=None)
    assert found["dividend"].tolist() == pytest.approx([1.00, 0.50], abs=1e-12)


def test_a_factor_step_down_is_refused() -> None:
    adjusted = back_adjust(RAW, EX)
    adjusted[adjusted.index >= DAYS[5]] *= 0.5  # a 2:1 split in one file only
    with pytest.raises(ValuationInputError, match="falls at 2025-01-08"):
        infer_dividends(RAW, adjusted)


def test_missing_days_read_against_the_last_common_close() -> None:
    adjusted = back_adjust(RAW, EX).drop(DAYS[2])  # the day before the first ex-date
    found = infer_dividends(RAW, adjusted, decimals=None)
    # the step spans days 1→3: dividend ≈ C_1 × (1 − f_1/f_3) = 101 × 1/102
    assert found["dividend"].iloc[0] == pytest.approx(101.0 / 102.0, abs=1e-12)


def test_trailing_yield_by_hand() -> None:
    days = pd.bdate_range("2024-01-01", "2025-03-31")
    raw = pd.Series(50.0, days)
    events = [(pd.Timestamp(d), 0.25) for d in ("2024-03-15", "2024-06-14", "2024-09-13",
                                                "2024-12-13", "2025-03-14")]
    adjusted = back_adjust(raw, events)
    ttm = trailing_dividend_yield(raw, adjusted, date(2025, 3, 1), decimals=None)
    # window (2024-03-01, 2025-03-01]: four payments of 0.25 on a 50 price → 2%
    assert ttm.count == 4
    assert ttm.window_start == date(2024, 3, 1)
    assert ttm.dividends == pytest.approx(1.0, abs=1e-12)
    assert ttm.dividend_yield == pytest.approx(0.02, abs=1e-14)
    assert ttm.price_date == date(2025, 2, 28)  # 2025-03-01 is a Saturday
    # six-month window, annualised ×2: 2024-09-13 is outside (2024-09-14, 2025-03-14]
    half = trailing_dividend_yield(raw, adjusted, date(2025, 3, 14), months=6, decimals=None)
    assert half.ex_dates == (date(2024, 12, 13), date(2025, 3, 14))
    assert half.dividend_yield == pytest.approx(0.5 / 50 * 2, abs=1e-14)
    with pytest.raises(ValuationInputError, match="after the window start"):
        trailing_dividend_yield(raw, adjusted, date(2024, 6, 1))


# --- real files -------------------------------------------------------------------------

US = "prices/us"


def read_close(path: Path, date_col: str, close_col: str) -> dict[str, float]:
    with path.open(newline="") as handle:
        return {row[date_col]: float(row[close_col]) for row in csv.DictReader(handle)}


def independent_dividends(ticker: str) -> dict[str, float]:
    """Ex-date → dividend with the csv module and plain loops (no narrowgate code)."""
    adj = read_close(require_shared(f"{US}/market_data_drrobanthony/{ticker}.csv"),
                     "date", "close")
    raw = read_close(require_shared(f"{US}/etf_daily_kittycapital/{ticker}.csv"),
                     "Date", "Close")
    days = sorted(set(adj) & set(raw))
    out = {}
    for before, day in pairwise(days):
        ratio = (adj[before] / raw[before]) / (adj[day] / raw[day])
        if 1.0 - ratio > 1e-4:  # every real step is > 2.8e-4, rounding noise < 1e-6
            out[day] = raw[before] * (1.0 - ratio)
    return out


def series(ticker: str, folder: str, date_col: str, close_col: str) -> pd.Series:
    frame = pd.read_csv(require_shared(f"{US}/{folder}/{ticker}.csv"), parse_dates=[date_col])
    return frame.set_index(date_col)[close_col].astype(float)


@pytest.mark.parametrize(
    ("ticker", "per_year", "ttm_yield"),
    # TTM at the warsh-policy baseline 2026-02-06, from the files' own figures:
    # QQQ 0.7160+0.5910+0.6940+0.7939 = 2.7949 / 609.65; DIA 12 payments 6.8968 / 501.03
    [("QQQ", 4, 0.004584), ("DIA", 12, 0.013765)],
)
def test_real_qqq_dia(ticker: str, per_year: int, ttm_yield: float) -> None:
    raw = series(ticker, "etf_daily_kittycapital", "Date", "Close")
    adjusted = series(ticker, "market_data_drrobanthony", "date", "close")
    found = infer_dividends(raw, adjusted)
    expected = independent_dividends(ticker)
    assert [d.date().isoformat() for d in found.index] == sorted(expected)
    assert found["dividend"].tolist() == pytest.approx(
        [expected[k] for k in sorted(expected)], rel=1e-9)
    years = found.groupby(found.index.year).size()
    assert years[2024] == per_year and years[2025] == per_year
    ttm = trailing_dividend_yield(raw, adjusted, date(2026, 2, 6))
    assert ttm.count == per_year
    assert ttm.price == pytest.approx(609.65 if ticker == "QQQ" else 501.03, abs=0.005)
    assert ttm.dividend_yield == pytest.approx(ttm_yield, abs=5e-7)


def test_real_qqq_2025_distributions() -> None:
    """QQQ's four 2025 ex-dates and amounts as the two files imply them (USD per share)."""
    raw = series("QQQ", "etf_daily_kittycapital", "Date", "Close")
    adjusted = series("QQQ", "market_data_drrobanthony", "date", "close")
    found = infer_dividends(raw, adjusted).loc["2025"]
    assert [d.date() for d in found.index] == [
        date(2025, 3, 24), date(2025, 6, 23), date(2025, 9, 22), date(2025, 12, 22)]
    assert found["dividend"].tolist() == pytest.approx([0.7160, 0.5910, 0.6940, 0.7939],
                                                       abs=6e-4)
