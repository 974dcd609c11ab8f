"""Metrics against empyrical-reloaded on real return series, plus hand-checkable cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from narrowgate.backtest import metrics as m
from tests.conftest import require_shared

empyrical = pytest.importorskip("empyrical")

ETF = "prices/us/etf_daily_kittycapital"


def daily_returns(name: str) -> pd.Series:
    path = require_shared(f"{ETF}/{name}.csv")
    close = pd.read_csv(path, index_col="Date", parse_dates=True)["Close"]
    return close.loc["2010":].pct_change().dropna()


@pytest.fixture(scope="module")
def spy() -> pd.Series:
    return daily_returns("SPY")


@pytest.fixture(scope="module")
def qqq() -> pd.Series:
    return daily_returns("QQQ")


RF = 0.03 / 252


def test_against_empyrical_on_spy(spy: pd.Series) -> None:
    r = spy.to_numpy()
    assert m.cagr(r, periods_per_year=252) == pytest.approx(empyrical.cagr(r), rel=1e-10)
    assert m.annual_volatility(r, periods_per_year=252) == pytest.approx(
        empyrical.annual_volatility(r), rel=1e-10)
    assert m.sharpe_ratio(r, risk_free_per_period=RF, periods_per_year=252) == pytest.approx(
        empyrical.sharpe_ratio(r, risk_free=RF), rel=1e-10)
    assert m.sortino_ratio(r, risk_free_per_period=RF, periods_per_year=252) == pytest.approx(
        empyrical.sortino_ratio(r, required_return=RF), rel=1e-10)
    assert m.max_drawdown(r) == pytest.approx(empyrical.max_drawdown(r), rel=1e-10)
    assert m.calmar_ratio(r, periods_per_year=252) == pytest.approx(
        empyrical.calmar_ratio(r), rel=1e-10)
    assert m.downside_risk(r, required_return_per_period=0.0, periods_per_year=252) == \
        pytest.approx(empyrical.downside_risk(r), rel=1e-10)


def test_beta_against_empyrical(spy: pd.Series, qqq: pd.Series) -> None:
    both = pd.concat([qqq, spy], axis=1, join="inner").to_numpy()
    got = m.beta(both[:, 0], both[:, 1], risk_free_per_period=RF)
    assert got == pytest.approx(empyrical.beta(both[:, 0], both[:, 1], risk_free=RF), rel=1e-10)
    assert 1.0 < got < 1.4


def test_weekly_units_change_the_annualisation(spy: pd.Series) -> None:
    weekly = (1 + spy).resample("W").prod() - 1
    assert m.annual_volatility(weekly, periods_per_year=52) == pytest.approx(
        empyrical.annual_volatility(weekly, period="weekly"), rel=1e-10)


def test_drawdown_duration_by_hand() -> None:
    r = np.array([0.1, -0.1, 0.05, 0.07, 0.01, -0.5, 0.1])
    # wealth 1.1 (peak), .99, 1.0395 (2 under), 1.112265, 1.1233865 (peaks), then 2 under
    assert m.max_drawdown_duration(r) == 2
    assert m.max_drawdown(r) == pytest.approx(-0.5)
    assert m.max_drawdown_duration([0.01, 0.02]) == 0
    assert m.max_drawdown_duration([-0.01, 0.005, 0.004, 0.02, -0.01]) == 3


def test_turnover_and_exposure() -> None:
    idx = pd.RangeIndex(4)
    assert m.annual_turnover([100, 0, 0, 100], [100] * 4, periods_per_year=4) == pytest.approx(2)
    values = pd.DataFrame({"a": [0, 60, 60, 0], "b": [0, -40, -40, 0]}, index=idx)
    equity = pd.Series([100.0] * 4, index=idx)
    assert m.gross_exposure(values, equity).tolist() == [0, 1, 1, 0]
    assert m.net_exposure(values, equity).tolist() == pytest.approx([0, 0.2, 0.2, 0])
    assert m.time_in_market(values) == 0.5


def test_units_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        m.sharpe_ratio([0.01, 0.02], 0.0, 252)  # type: ignore[misc]


def test_summary_has_every_headline(spy: pd.Series) -> None:
    s = m.summarize(spy, periods_per_year=252, risk_free_per_period=0.0, benchmark_returns=spy)
    assert s["beta"] == pytest.approx(1.0)
    assert set(s) >= {"cagr", "sharpe", "sortino", "max_drawdown", "calmar"}
