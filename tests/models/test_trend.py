"""Trend deviation on hand-checkable series: a straight line deviates by nothing."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from narrowgate.models.trend import deviation_from_trend, transform_series


def _monthly(values: list[float], start: str = "2024-01-01") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="MS"))


def test_a_series_on_its_trend_deviates_by_zero() -> None:
    line = _monthly([float(i) for i in range(36)])  # +1 a month, exactly
    got = deviation_from_trend(line, baseline_start=date(2024, 1, 1), start=date(2026, 1, 1),
                               end=date(2026, 12, 31), against="trend")
    assert got.deviation == pytest.approx(0.0, abs=0.05)  # months differ in length
    assert got.reading == 35.0 and got.reading_date == date(2026, 12, 1)
    assert got.baseline_points == 24


def test_a_jump_after_the_start_is_measured_in_points_and_percent() -> None:
    flat = _monthly([10.0] * 24 + [12.0] * 12)
    pts = deviation_from_trend(flat, baseline_start=date(2024, 1, 1), start=date(2026, 1, 1),
                               end=date(2026, 12, 31), smooth=3)
    assert pts.deviation == pytest.approx(2.0) and pts.expected == pytest.approx(10.0)
    pct = deviation_from_trend(flat, baseline_start=date(2024, 1, 1), start=date(2026, 1, 1),
                               end=date(2026, 12, 31), unit="percent", against="start")
    assert pct.deviation == pytest.approx(20.0)


def test_year_on_year_percent_uses_the_value_a_year_earlier() -> None:
    series = _monthly([100.0] * 12 + [103.0] * 12)
    yoy = transform_series(series, "yoy_pct")
    assert yoy.index[0] == pd.Timestamp("2025-01-01")
    assert yoy.iloc[0] == pytest.approx(3.0)


def test_too_short_a_baseline_is_named() -> None:
    with pytest.raises(ValueError, match="fewer than 6"):
        deviation_from_trend(_monthly([1.0] * 8, "2025-10-01"), baseline_start=date(2024, 1, 1),
                             start=date(2026, 1, 1), end=date(2026, 6, 1))
