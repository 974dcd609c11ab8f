"""Pure liquidity and cycle-phase arithmetic, checked by hand on small series."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from narrowgate.models.cycle_phase import read_phase, running_drawdown, thin_days
from narrowgate.models.liquidity import (
    aligned_changes,
    full_correlation,
    level_change,
    monthly_changes,
    rolling_correlation,
    share_at_least,
)


def test_level_change_reads_on_or_before() -> None:
    rate = pd.Series([3.64, 3.64, 3.63], index=pd.to_datetime(
        ["2026-01-01", "2026-02-01", "2026-06-01"]))
    change = level_change(rate, date(2026, 2, 6), date(2026, 11, 24))
    assert (change.start, change.end) == (date(2026, 2, 1), date(2026, 6, 1))
    assert change.change == pytest.approx(-0.01)
    assert change.pct == pytest.approx(3.63 / 3.64 - 1)
    with pytest.raises(ValueError):
        level_change(rate, date(2025, 1, 1), date(2026, 3, 1))
    with pytest.raises(ValueError):
        level_change(rate, date(2026, 6, 2), date(2026, 11, 24))


def test_monthly_changes_use_the_last_level_of_each_month() -> None:
    weekly = pd.Series([100.0, 101.0, 110.0, 99.0], index=pd.to_datetime(
        ["2024-01-10", "2024-01-31", "2024-02-14", "2024-02-28"]))
    changes = monthly_changes(weekly)
    assert list(changes.index) == [pd.Timestamp("2024-02-29")]
    assert changes.iloc[0] == pytest.approx(99.0 / 101.0 - 1)


def test_correlations_by_hand() -> None:
    days = pd.date_range("2020-01-31", periods=13, freq="ME")
    asset = pd.Series([100 * 1.01 ** (i * (-1) ** i) for i in range(13)], index=days)
    proxy = 1 / asset  # moves exactly opposite in log terms
    changes = aligned_changes(asset, proxy)
    assert len(changes) == 12
    corr = full_correlation(changes)
    assert corr.value < -0.99 and corr.months == 12
    rolling = rolling_correlation(changes, 6)
    assert len(rolling) == 7 and share_at_least(rolling, 0.9) == 1.0
    with pytest.raises(ValueError):
        full_correlation(changes.iloc[:2])


def test_phase_readings_on_two_toy_cycles() -> None:
    paths = pd.DataFrame(
        {"a": [1.0, 2.0, 4.0, 2.0, 1.0, 3.0], "b": [1.0, 3.0, 1.5, 1.5, None, None]})
    dd = running_drawdown(paths)
    assert dd["a"].tolist() == [0.0, 0.0, 0.0, -0.5, -0.75, -0.25]
    readings = {r.cycle: r for r in read_phase(paths, 3)}
    assert readings["a"].drawdown == -0.5 and readings["a"].high_day == 2
    assert readings["a"].low_day == 4 and readings["a"].low_drawdown == -0.75
    assert readings["b"].drawdown == -0.5 and readings["b"].high_day == 1
    assert "b" not in {r.cycle for r in read_phase(paths, 4)}
    assert list(thin_days(paths, 4).index) == [0, 4, 5]
