"""P&L attribution against hand arithmetic: every engine term (price, basis, borrow, fees,
slippage, rolls, cash interest) on a three-day book, summing to the equity change."""

from __future__ import annotations

import pandas as pd
import pytest

from narrowgate.backtest.api import BacktestError, Costs, InstrumentSpec, run_backtest
from narrowgate.backtest.attribution import pnl_attribution

DAYS = pd.to_datetime(["2026-01-05", "2026-01-06", "2026-01-07"])


def _book(**run: object) -> tuple[pd.DataFrame, dict[str, InstrumentSpec], Costs]:
    close = pd.DataFrame({"SPOT": [100.0, 110.0, 99.0], "FUT": [4000.0, 3960.0, 4040.0]},
                         index=DAYS)
    instruments = {"FUT": InstrumentSpec(kind="futures", multiplier=300, margin_rate=0.12,
                                         basis_per_year=-0.0365)}
    costs = Costs(fee=0.001, slippage=0.0005, borrow_per_year=0.0365,
                  cash_rate_per_year=0.0365)
    return close, instruments, costs


def test_terms_sum_to_the_equity_change_and_match_hand_arithmetic() -> None:
    close, instruments, costs = _book()
    targets = pd.DataFrame({"SPOT": [-0.5, float("nan"), float("nan")],
                            "FUT": [1.2, float("nan"), float("nan")]}, index=DAYS)
    result = run_backtest(close, targets, instruments=instruments, costs=costs,
                          initial_cash=1_000_000.0, periods_per_year=365, rolls={"FUT": [DAYS[1]]})
    att = pnl_attribution(result, costs=costs, instruments=instruments,
                          initial_cash=1_000_000.0, periods_per_year=365)
    assert att.residual == pytest.approx(0.0, abs=1e-6)
    assert att.total == pytest.approx(float(result.equity.iloc[-1]) - 1_000_000.0, abs=1e-9)
    spot_units = float(result.positions["SPOT"].iloc[0])
    lots = float(result.positions["FUT"].iloc[0])
    row = att.by_asset
    # price: units × (last close − first close) (× multiplier for futures)
    assert row.loc["SPOT", "price"] == pytest.approx(spot_units * (99.0 - 100.0))
    assert row.loc["FUT", "price"] == pytest.approx(lots * 300 * (4040.0 - 4000.0))
    # borrow 1e-4 a day on the short value at each previous close; basis −1e-4 a day
    assert row.loc["SPOT", "borrow"] == pytest.approx(spot_units * (100 + 110) * 1e-4)
    assert row.loc["FUT", "basis"] == pytest.approx(lots * 300 * (4000 + 3960) * 1e-4)
    # entry fills: fee on the slipped price plus slippage on the close
    fut_value = abs(lots) * 300 * 4000.0
    assert row.loc["FUT", "fees"] == pytest.approx(-fut_value * (0.001 * 1.0005 + 0.0005))
    # one roll: two fills of the lots at the roll close
    assert row.loc["FUT", "rolls"] == pytest.approx(-2 * fut_value / 4000 * 3960 * 0.0015)
    assert row.loc["SPOT", "rolls"] == 0.0
    assert att.interest > 0  # the short's proceeds and free cash earn the cash rate


def test_fills_at_the_open_are_refused() -> None:
    close, instruments, costs = _book()
    targets = pd.DataFrame({"SPOT": [0.5, float("nan"), float("nan")],
                            "FUT": [0.0, float("nan"), float("nan")]}, index=DAYS)
    result = run_backtest(close, targets, open_=close, execution="next_open",
                          instruments=instruments, costs=costs)
    with pytest.raises(BacktestError, match="fills at the close"):
        pnl_attribution(result, costs=costs, instruments=instruments, initial_cash=1e6)
