"""Sweeps equal one-by-one runs; history helpers equal direct arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from narrowgate.backtest import Costs, InstrumentSpec, run_backtest
from narrowgate.backtest.history import (
    rank_among,
    rolling_returns,
    rolls_within,
    since_publication,
    trailing_returns,
    window_returns,
)
from narrowgate.backtest.strategies import Basket, LongShort, Pair, RatioFilter, run_strategy
from narrowgate.backtest.sweep import sweep_pair_ma, sweep_targets


def gbm(t: int, n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    steps = rng.normal(0.05 / 252, 0.25 / np.sqrt(252), (t, n))
    idx = pd.bdate_range("2010-01-04", periods=t)
    return pd.DataFrame(100 * np.exp(np.cumsum(steps, axis=0)), index=idx,
                        columns=[f"A{j}" for j in range(n)])


def test_pair_ma_sweep_equals_each_pair_strategy() -> None:
    close = gbm(600, 2)
    costs = Costs(fee=0.001)
    sweep = sweep_pair_ma(close, [2, 5, 20, 200], costs=costs)
    for w in (2, 5, 20, 200):
        spec = Pair(long="A0", short="A1", filter=RatioFilter(window=w), rebalance="daily",
                    costs=costs)
        single = run_strategy(spec, close)
        np.testing.assert_allclose(sweep.equity[w].to_numpy(), single.equity.to_numpy(),
                                   rtol=1e-12)


def test_target_sweep_equals_single_runs() -> None:
    close = gbm(300, 3)
    rng = np.random.default_rng(3)
    targets = rng.uniform(-0.5, 0.5, (5, 300, 3))
    targets[:, rng.uniform(size=300) < 0.8] = np.nan
    sweep = sweep_targets(close, targets, costs=Costs(fee=0.002, borrow_per_year=0.01))
    for k in range(5):
        single = run_backtest(close, pd.DataFrame(targets[k], index=close.index,
                                                  columns=close.columns),
                              costs=Costs(fee=0.002, borrow_per_year=0.01))
        np.testing.assert_allclose(sweep.equity[k], single.equity, rtol=1e-12)
    assert sweep.total_return.shape == (5,)


def test_sweeps_pay_futures_rolls_like_single_runs() -> None:
    """Every variant pays the same roll fills a single run pays (two fills of the held
    lots at each roll close), in the target sweep and on the pair sweep's general kernel."""
    close = gbm(300, 2, seed=5) * 40
    legs = {"A0": InstrumentSpec.cffex("cnfut:IF"), "A1": InstrumentSpec.cffex("cnfut:IC")}
    rolls = {"A0": list(close.index[[40, 100, 160]]), "A1": list(close.index[[41, 101]])}
    costs = Costs(fee=0.0005)
    rng = np.random.default_rng(4)
    targets = rng.uniform(-0.8, 0.8, (3, 300, 2))
    targets[:, rng.uniform(size=300) < 0.9] = np.nan
    kw = {"instruments": legs, "costs": costs, "initial_cash": 50_000_000.0}
    sweep = sweep_targets(close, targets, rolls=rolls, **kw)  # type: ignore[arg-type]
    unrolled = sweep_targets(close, targets, **kw)  # type: ignore[arg-type]
    assert (sweep.equity.iloc[-1] < unrolled.equity.iloc[-1]).all()
    for k in range(3):
        single = run_backtest(close, pd.DataFrame(targets[k], index=close.index,
                                                  columns=close.columns), rolls=rolls, **kw)
        np.testing.assert_allclose(sweep.equity[k], single.equity, rtol=1e-12)
    pair = sweep_pair_ma(close, [5, 50], rolls=rolls, **kw)  # type: ignore[arg-type]
    for w in (5, 50):
        spec = Pair(long="A0", short="A1", filter=RatioFilter(window=w), rebalance="daily",
                    costs=costs, instruments=legs, initial_cash=50_000_000.0)
        single = run_strategy(spec, close, rolls=rolls)
        np.testing.assert_allclose(pair.equity[w].to_numpy(), single.equity.to_numpy(),
                                   rtol=1e-12)


def test_window_returns_of_a_held_basket_are_price_ratios() -> None:
    close = gbm(100, 2)
    spec = Basket(weights={"A0": 0.5, "A1": 0.5}, rebalance="once")
    got = window_returns(spec, close, 10)
    rel = close.shift(-10) / close - 1
    direct = (0.5 * rel["A0"] + 0.5 * rel["A1"]).iloc[:90]
    np.testing.assert_allclose(got.to_numpy(), direct.to_numpy(), rtol=1e-12, atol=1e-14)
    assert got.index[0] == close.index[0]
    fresh = run_strategy(spec.model_copy(update={"entry": close.index[40].date()}),
                         close.iloc[40:51])
    assert got.iloc[40] == pytest.approx(fresh.equity.iloc[-1] / 1e6 - 1)


def test_windows_and_since_publication_pay_the_rolls_within_them() -> None:
    close = gbm(120, 2)
    futures = InstrumentSpec(kind="futures", multiplier=200, margin_rate=0.12, lot=0)
    spec = LongShort(long=["A0"], short=["A1"], gross=2.0, rebalance="once", initial_cash=1e7,
                     instruments={"A0": futures, "A1": futures}, costs=Costs(fee=0.0003))
    rolls = {"A0": close.index[[15, 40, 70, 100]], "A1": close.index[[20, 70]]}
    got = window_returns(spec, close, 30, rolls=rolls)
    free = window_returns(spec, close, 30)
    assert (got < free).all()  # each 30-day window holds through a roll
    start = 35  # rolls A0 on row 40 and both on row 70 within the window
    window = close.iloc[start:start + 31]
    fresh = run_strategy(spec.model_copy(update={"entry": close.index[start].date()}), window,
                         rolls=rolls_within(rolls, window.index))
    assert fresh.costs.iloc[40 - start] > 0 and fresh.costs.iloc[1] == 0
    assert got.iloc[start] == pytest.approx(fresh.equity.iloc[-1] / 1e7 - 1, rel=1e-12)
    since = since_publication(spec, close, close.index[start + 1].date(),
                              end=close.index[start + 30].date(), rolls=rolls)
    assert since.equity.iloc[-1] == pytest.approx(fresh.equity.iloc[-1], rel=1e-12)


def test_rolls_within_keep_the_window_and_move_to_the_next_row() -> None:
    index = pd.bdate_range("2024-01-01", periods=10)
    rows = index.delete([3])  # a row dropped (some leg had no close that day)
    rolls = {"IF": [index[0], index[3], index[9], pd.Timestamp("2023-12-29")]}
    assert rolls_within(rolls, rows[1:-1]) == {"IF": [index[4]]}
    assert rolls_within(rolls, rows) == {"IF": [index[0], index[4], index[9]]}
    assert rolls_within(None, rows) == {}


def test_rolling_returns_use_calendar_months() -> None:
    idx = pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-29", "2024-04-30", "2024-05-31"])
    eq = pd.Series([100.0, 110.0, 121.0, 90.0, 99.0], index=idx)
    r = rolling_returns(eq, 3)
    assert r.iloc[:4].isna().all()  # 04-30 minus 3 months = 01-30: before the first row
    assert r.iloc[4] == pytest.approx(99 / 110 - 1)  # 05-31 minus 3 months = 02-29


def test_trailing_months_count_rows_at_the_series_own_frequency() -> None:
    """3 months of a 7-day-a-week asset (bitcoin, 365 closes a year) is 91 rows, not the
    63 of a stock exchange; a held single asset's trailing return is its price ratio."""
    idx = pd.date_range("2024-01-01", periods=400, freq="D")
    close = pd.DataFrame({"BTC": np.linspace(100.0, 500.0, 400)}, index=idx)
    held = Basket(weights={"BTC": 1.0}, rebalance="once")
    r = trailing_returns(held, close, 3, periods_per_year=365)
    assert r.index[0] == idx[91]
    assert r.iloc[0] == pytest.approx(close["BTC"].iloc[91] / close["BTC"].iloc[0] - 1)
    assert trailing_returns(held, close, 3).index[0] == idx[63]  # default: 252 a year


def test_rank_among_history() -> None:
    hist = pd.Series([-0.1, 0.0, 0.05, 0.2])
    assert rank_among(0.1, hist) == (2, 0.75)
    assert rank_among(-1.0, hist) == (5, 0.0)


def test_fast_pair_path_equals_general_kernel_bitwise() -> None:
    from narrowgate.backtest import batch
    from narrowgate.backtest.api import engine_inputs, year_fraction
    from narrowgate.backtest.arrays import pair_ma_chunk
    from narrowgate.backtest.inputs import NO_ROLLS

    close = gbm(500, 2, seed=4)
    c = np.ascontiguousarray(close.to_numpy())
    windows = np.arange(1, 120)
    spec = engine_inputs(["A0", "A1"], None,
                         Costs(fee=0.002, slippage=0.001, borrow_per_year=0.03,
                               cash_rate_per_year=0.02, financing_rate_per_year=0.05))
    yf = year_fraction(close.index)
    for gross, flip in ((1.0, True), (2.5, False)):
        fast, fast_status = pair_ma_chunk(c, c, yf, spec, windows, gross=gross, flip=flip,
                                          at_open=False, initial_cash=1e6, shortfall=1)
        slow = np.full_like(fast, np.nan)
        slow_status = np.zeros_like(fast_status)
        batch.pair_ma_sweep_nb(c, c, windows, gross, flip, False, yf, 1e6, spec.multiplier,
                               spec.is_futures, spec.margin_rate, spec.margin_group, spec.lot,
                               spec.basis, spec.fee, spec.slippage, spec.borrow, spec.cash_rate,
                               spec.financing_rate, 1, NO_ROLLS, slow, slow_status)
        np.testing.assert_array_equal(fast, slow)
        np.testing.assert_array_equal(fast_status, slow_status)


@pytest.mark.parametrize("shortfall", ["scale", "finance"])
def test_pair_sweep_with_lots_and_shortfalls_equals_each_strategy(shortfall: str) -> None:
    # At gross 4 the short leg's 1,000-unit lot rounds to nothing, so the long leg (2 ×
    # equity) cannot be funded: the fast path hands those variants back to the general
    # kernel (scale) or finances them (negative cash).
    close = gbm(120, 2, seed=9)
    specs = {"A0": InstrumentSpec(lot=1.0), "A1": InstrumentSpec(lot=1000.0)}
    costs = Costs(fee=0.001)
    windows = [1, 3, 10, 30]
    sweep = sweep_pair_ma(close, windows, gross=4.0, instruments=specs, costs=costs,
                          initial_cash=1_000.0, on_shortfall=shortfall,  # type: ignore[arg-type]
                          otherwise="flat")
    for w in windows:
        spec = Pair(long="A0", short="A1", filter=RatioFilter(window=w, otherwise="flat"),
                    gross=4.0, rebalance="daily", costs=costs, instruments=specs,
                    initial_cash=1_000.0, on_shortfall=shortfall)  # type: ignore[arg-type]
        single = run_strategy(spec, close)
        np.testing.assert_allclose(sweep.equity[w].to_numpy(), single.equity.to_numpy(),
                                   rtol=1e-12)
