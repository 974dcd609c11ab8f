"""Balance-sheet pace, halving-cycle alignment and the event study, on real files."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from narrowgate.models.cycles import (
    cycle_paths,
    drawdown_from_cycle_high,
    last_halving,
    same_phase_dates,
)
from narrowgate.models.events import event_window_stats
from narrowgate.models.macro import balance_sheet_pace, balance_sheet_regimes, returns_by_regime
from tests.conftest import require_shared

HALVINGS = [date(2012, 11, 28), date(2016, 7, 9), date(2020, 5, 11), date(2024, 4, 20)]


def _walcl() -> pd.Series:
    path = require_shared("fred/series_macro_charts/WALCL.csv")
    return pd.read_csv(path, parse_dates=["date"], index_col="date")["WALCL"]


def _btc() -> pd.Series:
    path = require_shared("prices/us/etf_daily_kittycapital/BTC_USD.csv")
    close = pd.read_csv(path, parse_dates=["Date"], index_col="Date")["Close"]
    return close.loc["2014-09-17":]  # earlier rows are placeholders (data README)


def test_qt_pace_2022_2025_from_the_real_walcl_file() -> None:
    pace = balance_sheet_pace(_walcl(), date(2022, 6, 1), date(2025, 12, 3))
    assert pace.change_usd_bn == pytest.approx((6535781.0 - 8915050.0) / 1000)
    assert pace.per_week_usd_bn == pytest.approx(pace.change_usd_bn / pace.weeks)
    assert -14 < pace.per_week_usd_bn < -12


def test_balance_sheet_grew_after_publication() -> None:
    pace = balance_sheet_pace(_walcl(), date(2026, 2, 8), date(2026, 11, 24))
    assert pace.start == date(2026, 2, 11)
    assert pace.end == date(2026, 7, 22)
    assert pace.change_usd_bn == pytest.approx((6747378.0 - 6622382.0) / 1000)


def test_regime_returns_use_no_look_ahead() -> None:
    idx = pd.date_range("2026-01-01", periods=6, freq="D")
    regimes = pd.Series(["growing", "growing", "shrinking", "shrinking", "growing", "growing"], idx)
    closes = pd.DataFrame({"X": [1.0, 2.0, 4.0, 2.0, 1.0, 1.0]}, index=idx)
    table = returns_by_regime(closes, regimes, periods_per_year=1.0)
    # returns of days 2..6 use the regime of the day before: g, g, s, s, g
    assert table.loc["growing", "days"] == 3
    assert table.loc["shrinking", "X"] == pytest.approx((np.log(0.5) + np.log(0.5)) / 2)
    assert set(balance_sheet_regimes(_walcl()).unique()) == {"growing", "shrinking"}


def test_btc_cycles_align_on_halvings() -> None:
    btc = _btc()
    assert last_halving(date(2026, 2, 8), HALVINGS) == date(2024, 4, 20)
    paths = cycle_paths(btc, HALVINGS, max_days=1500)
    assert list(paths.columns) == ["2016-07-09", "2020-05-11", "2024-04-20"]
    assert paths.loc[0].tolist() == [1.0, 1.0, 1.0]
    # 2025-10-06 close 124,752.53 is the cycle high; 2024-04-20 close 64,994.44
    peak_day = (pd.Timestamp("2025-10-06") - pd.Timestamp("2024-04-20")).days
    assert paths["2024-04-20"].loc[peak_day] == pytest.approx(124752.53125 / 64994.44140625)
    assert drawdown_from_cycle_high(paths["2024-04-20"], peak_day) == 0.0
    assert same_phase_dates(659, [date(2024, 4, 20)]) == {"2024-04-20": date(2026, 2, 8)}


def test_event_study_windows_on_real_silver() -> None:
    path = require_shared("commodities/lbma_gold_silver_finance_terminal/silver.csv")
    silver = pd.read_csv(path, parse_dates=["as_of"], index_col="as_of")["value"]
    stats = event_window_stats(silver, [date(2026, 2, 6), date(1980, 1, 1)], days=5)
    assert len(stats) == 1  # 1980 is before the data
    row = stats.iloc[0]
    anchor = silver.index.searchsorted(pd.Timestamp("2026-02-06"), side="right") - 1
    expected_after = silver.iloc[anchor + 5] / silver.iloc[anchor] - 1
    assert row["return_after"] == pytest.approx(expected_after)
    assert row["vol_after"] > 0
