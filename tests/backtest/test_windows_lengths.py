"""Fresh-start windows of several lengths from one run per start equal, bitwise, one run per
(start, length) — on the real ETF closes, including windows a leveraged trade does not
survive (a failure after a short window's end must leave that window's return)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from narrowgate.backtest.history import _Windows, publication_report
from narrowgate.backtest.strategies import Basket, LongShort
from tests.backtest.test_real_data import us_closes

ROTATION = LongShort(long=["DIA", "IWM"], short=["QQQ", "IGV"], gross=1.0, net=0.0,
                     rebalance="monthly")
#: 12× gross: a ~8% move of the spread against it ruins the book, which happens in some
#: windows of a year on these closes and not in the shorter ones that start on the same day
LEVERED = LongShort(long=["IGV"], short=["QQQ"], gross=12.0, net=0.0, rebalance="monthly")
HELD = Basket(weights={"QQQ": 0.6, "DIA": 0.4}, rebalance="once")


@pytest.mark.parametrize("strategy", [ROTATION, LEVERED, HELD], ids=["rotation", "levered",
                                                                     "held"])
def test_lengths_from_one_run_equal_runs_per_length(strategy: LongShort | Basket) -> None:
    close = us_closes()
    windows = _Windows.of(strategy, close)
    lengths = [114, 63, 126, 252, 63, len(close) - 1, len(close) + 5]
    together = windows.returns_of_lengths(lengths)
    for periods, got in zip(lengths, together, strict=True):
        want = windows.returns(periods)
        assert got.name == want.name
        pd.testing.assert_index_equal(got.index, want.index)
        assert np.array_equal(got.to_numpy(), want.to_numpy(), equal_nan=True), periods


def test_the_levered_case_fails_in_long_windows_only() -> None:
    windows = _Windows.of(LEVERED, us_closes())
    short, long_ = windows.returns_of_lengths([21, 252])
    failed_long = long_.isna()
    assert failed_long.any() and short[failed_long.index].notna().any()


def test_publication_report_is_unchanged_in_every_figure() -> None:
    close = us_closes()
    report = publication_report(ROTATION, close, date(2026, 2, 8))
    windows = _Windows.of(ROTATION, close)
    history = windows.returns(report.periods)
    index = close[ROTATION.assets].dropna(how="any").index
    end_of = pd.Series(index[report.periods:][: len(history)], index=history.index)
    pd.testing.assert_series_equal(report.history,
                                   history[(end_of <= report.anchor).to_numpy()],
                                   check_exact=True)
    for months, column in zip((3, 6, 12), report.rolling.columns, strict=True):
        rows = round(252 * months / 12)
        starts = windows.returns(rows)
        want = pd.Series(starts.to_numpy(), index=index[rows:][: len(starts)],
                         name=f"return_{months}m")
        pd.testing.assert_series_equal(report.rolling[column].dropna(), want.dropna(),
                                       check_exact=True, check_freq=False)
