"""Thesis trades on the real shared price files, checked against direct arithmetic."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from narrowgate.backtest import InstrumentSpec, run_backtest
from narrowgate.backtest.api import year_fraction
from narrowgate.backtest.history import publication_report, since_publication
from narrowgate.backtest.strategies import LongShort, run_strategy
from tests.conftest import require_shared

ETF = "prices/us/etf_daily_kittycapital"
PUBLISHED = date(2026, 2, 8)


def us_closes() -> pd.DataFrame:
    files = {"DIA": "DIA", "IWM": "IWM", "QQQ": "QQQ", "IGV": "IGV_from2014"}
    cols = {k: pd.read_csv(require_shared(f"{ETF}/{f}.csv"), index_col="Date",
                           parse_dates=True)["Close"] for k, f in files.items()}
    return pd.DataFrame(cols).dropna()


ROTATION = LongShort(long=["DIA", "IWM"], short=["QQQ", "IGV"], gross=1.0, net=0.0,
                     rebalance="once", entry=date(2026, 2, 6))


def test_rotation_trade_since_2026_02_06_matches_the_file() -> None:
    close = us_closes()
    result = run_strategy(ROTATION, close.loc["2026-02-06":])
    p = close.loc["2026-02-06":]
    rel = p / p.iloc[0] - 1
    direct = 1e6 * (1 + 0.25 * (rel["DIA"] + rel["IWM"] - rel["QQQ"] - rel["IGV"]))
    assert np.allclose(result.equity.to_numpy(), direct.to_numpy(), rtol=1e-12)
    assert result.trades["value"].sum() == pytest.approx(1e6)


def test_monthly_rebalanced_rotation_compounds_period_spreads() -> None:
    close = us_closes().loc["2025-01-01":]
    spec = ROTATION.model_copy(update={"rebalance": "monthly", "entry": date(2025, 1, 2)})
    result = run_strategy(spec, close)
    firsts = close.index.to_series().groupby(close.index.to_period("M")).first().tolist()
    value = 1e6
    for a, b in zip(firsts, [*firsts[1:], close.index[-1]], strict=True):
        rel = close.loc[b] / close.loc[a] - 1
        value *= 1 + 0.25 * (rel["DIA"] + rel["IWM"] - rel["QQQ"] - rel["IGV"])
    assert result.equity.iloc[-1] == pytest.approx(value, rel=1e-12)


def test_since_publication_anchors_on_the_last_close_before() -> None:
    result = since_publication(ROTATION, us_closes(), PUBLISHED)
    assert result.equity.index[0] == pd.Timestamp("2026-02-06")


def test_publication_report_ranks_against_history() -> None:
    report = publication_report(ROTATION, us_closes(), PUBLISHED)
    assert report.anchor == pd.Timestamp("2026-02-06")
    assert len(report.history) > 2000
    assert report.history.index[-1] <= report.anchor
    assert 0.0 <= report.percentile <= 1.0 and report.rank >= 1
    assert list(report.rolling.columns) == ["return_3m", "return_6m", "return_12m"]


def cn_index_closes() -> pd.DataFrame:
    csi300 = pd.read_csv(require_shared("prices/cn/csi_indices_ai_theme_monitor/000300.csv"),
                         index_col="date", parse_dates=True)["close"]
    csi500 = pd.read_csv(require_shared("prices/cn/csi500_csi1000_zechenhehuo/sh000905.csv"),
                         index_col="date", parse_dates=True)["close"]
    both = pd.DataFrame({"IF": csi300, "IC": csi500}).dropna()
    return both[~both.index.duplicated()].loc["2026-02-06":]


def test_if_long_ic_short_index_proxy_pnl_is_points_times_multiplier() -> None:
    close = cn_index_closes()
    specs = {"IF": InstrumentSpec.cffex("cnfut:IF", margin_rate=0.12),
             "IC": InstrumentSpec.cffex("cnfut:IC", margin_rate=0.14, basis_per_year=-0.08)}
    lots = pd.DataFrame(np.nan, index=close.index, columns=close.columns)
    lots.iloc[0] = [2.0, -3.0]
    result = run_backtest(close, lots, target_kind="units", instruments=specs,
                          initial_cash=2_000_000.0, on_shortfall="raise")
    points = 300 * 2 * (close["IF"] - close["IF"].iloc[0]) - 200 * 3 * (close["IC"] -
                                                                       close["IC"].iloc[0])
    yf = year_fraction(close.index)
    short_notional = -3 * 200 * close["IC"].shift(1).fillna(0.0)
    carry = np.cumsum(0.08 * short_notional * yf)  # the short pays the 8%/yr discount
    assert carry.iloc[-1] < 0
    assert np.allclose(result.equity - 2e6, points + carry, atol=1e-6)
    # cffex() puts both in CFFEX's stock-index margin group: the larger side is charged
    margin = np.maximum(0.12 * 300 * 2 * close["IF"], 0.14 * 200 * 3 * close["IC"])
    assert np.allclose(result.margin, margin)
    assert (result.positions.to_numpy() == [2.0, -3.0]).all()
