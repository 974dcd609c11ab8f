"""The new pure models: aligned returns and rolling correlation, peaks, event summaries."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from narrowgate.models.correlation import (
    aligned_returns,
    equal_weight_returns,
    rolling_correlation,
)
from narrowgate.models.event_study import summarise_events
from narrowgate.models.peaks import deepest_drawdown, peak_check


def _days(n: int, start: str = "2026-01-01") -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="D")


def test_aligned_returns_skip_dates_missing_anywhere() -> None:
    frame = pd.DataFrame({"a": [100, 110, np.nan, 121], "b": [10, np.nan, 12, 13.2]},
                         index=_days(4))
    out = aligned_returns(frame)
    # common dates are day 0 and day 3 only: one two-span return each
    assert list(out.index) == [_days(4)[3]]
    assert out["a"].iloc[0] == pytest.approx(0.21)
    assert out["b"].iloc[0] == pytest.approx(0.32)
    with pytest.raises(ValueError):
        aligned_returns(frame[["a"]].iloc[:1])


def test_rolling_correlation_matches_numpy_and_trims_warmup() -> None:
    rng = np.random.default_rng(7)
    a = pd.Series(rng.normal(size=30), index=_days(30))
    b = 0.5 * a + pd.Series(rng.normal(size=30), index=_days(30))
    corr = rolling_correlation(a, b, 10)
    assert len(corr) == 21 and not corr.isna().any()
    assert corr.iloc[-1] == pytest.approx(np.corrcoef(a.iloc[-10:], b.iloc[-10:])[0, 1])
    assert rolling_correlation(a, a, 5).iloc[-1] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        rolling_correlation(a.iloc[:4], b.iloc[:4], 5)


def test_equal_weight_returns_is_the_member_mean() -> None:
    returns = pd.DataFrame({"x": [0.1, -0.2], "y": [0.3, 0.0]}, index=_days(2))
    assert list(equal_weight_returns(returns, ["x", "y"])) == pytest.approx([0.2, -0.1])
    with pytest.raises(ValueError):
        equal_weight_returns(returns, [])


def test_peak_check_finds_the_first_new_high() -> None:
    prices = pd.Series([90, 120, 100, 95, 110, 125, 130], index=_days(7))
    check = peak_check(prices, date(2026, 1, 1), date(2026, 1, 4))
    assert check.prior_peak == 120 and check.prior_peak_date == date(2026, 1, 2)
    assert check.first_new_high == date(2026, 1, 6) and check.new_high
    assert check.after_max == 130 and check.after_max_vs_peak == pytest.approx(130 / 120 - 1)
    no_high = peak_check(prices.iloc[:5], date(2026, 1, 1), date(2026, 1, 4))
    assert not no_high.new_high and no_high.after_max_vs_peak == pytest.approx(110 / 120 - 1)


def test_deepest_drawdown_and_recovery() -> None:
    path = pd.Series([1.0, 1.1, 0.88, 0.95, 1.12, 1.0], index=_days(6))
    dd = deepest_drawdown(path)
    assert dd.depth == pytest.approx(0.88 / 1.1 - 1)
    assert (dd.peak_date, dd.trough_date) == (date(2026, 1, 2), date(2026, 1, 3))
    assert dd.recovered_date == date(2026, 1, 5) and dd.sessions_to_recover == 2
    open_dd = deepest_drawdown(path.iloc[:4])
    assert open_dd.recovered_date is None and open_dd.sessions_to_recover is None
    flat = deepest_drawdown(pd.Series([1.0, 1.0], index=_days(2)))
    assert flat.depth == 0 and flat.recovered_date is None


def test_summarise_events() -> None:
    stats = pd.DataFrame({
        "return_before": [0.1, -0.1, 0.3], "return_after": [-0.05, 0.1, -0.2],
        "vol_before": [0.5, 0.4, 0.9], "vol_after": [0.4, 0.6, 0.8],
    })
    s = summarise_events(stats)
    assert s.events == 3
    assert s.mean_return_after == pytest.approx(-0.05)
    assert s.median_return_after == pytest.approx(-0.05)
    assert s.share_negative_after == pytest.approx(2 / 3)
    assert s.share_lower_vol_after == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        summarise_events(stats.iloc[:0])
