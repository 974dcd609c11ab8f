"""The engine agrees with the plain-loop reference on random portfolios (hypothesis):
shorts, fees, slippage, borrow, basis, interest, futures margin and lots included, futures
margin netted in groups or not, leveraged enough for margin to bind, futures rolls charged
on some closes (with or without a rebalance at the same close)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrowgate.backtest import (
    BacktestError,
    BacktestResult,
    Costs,
    InstrumentSpec,
    run_backtest,
)
from narrowgate.backtest.api import year_fraction
from tests.backtest.reference import reference_backtest


@st.composite
def portfolios(draw: st.DrawFn) -> dict:
    n = draw(st.integers(1, 4))
    t = draw(st.integers(2, 25))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    close = 50 * np.exp(np.cumsum(rng.uniform(-0.02, 0.02, (t, n)), axis=0))
    opens = close * np.exp(rng.uniform(-0.01, 0.01, (t, n)))
    target = rng.uniform(-1, 1, (t, n)) / n
    target[rng.uniform(size=t) < 0.5] = np.nan
    target[rng.uniform(size=(t, n)) < 0.2] = np.nan
    futures = rng.uniform(size=n) < draw(st.sampled_from([0.0, 0.5, 1.0]))
    # Futures leverage (×8, ×25: the margin check binds) and margin groups: none, all in
    # one group, or a mix of two groups and ungrouped futures.
    target[:, futures] *= draw(st.sampled_from([1.0, 8.0, 25.0]))
    grouping = draw(st.sampled_from(["none", "one", "mixed"]))
    group = np.full(n, -1)
    if grouping == "one":
        group[futures] = 0
    elif grouping == "mixed":
        group[futures] = rng.integers(-1, 2, int(futures.sum()))
    # Roll flags on futures only, on none, a few or many rows.
    roll = (rng.uniform(size=(t, n)) < draw(st.sampled_from([0.0, 0.15, 0.5]))) & futures
    return {
        "close": close, "open": opens, "target": target, "futures": futures, "roll": roll,
        "multiplier": np.where(futures, rng.choice([10.0, 200.0, 300.0], n), 1.0),
        "margin": np.where(futures, rng.uniform(0.05, 0.2, n), 0.0),
        "lot": np.where(futures, draw(st.sampled_from([0.0, 1.0])), 0.0),
        "basis": rng.uniform(-0.1, 0.1, n) * draw(st.integers(0, 1)),
        "fee": draw(st.sampled_from([0.0, 0.001, 0.003])),
        "slippage": draw(st.sampled_from([0.0, 0.0005])),
        "borrow": draw(st.sampled_from([0.0, 0.02])),
        "cash_rate": draw(st.sampled_from([0.0, 0.03])),
        "financing_rate": draw(st.sampled_from([0.0, 0.06])),
        "shortfall": draw(st.sampled_from(["scale", "finance"])),
        "at_open": draw(st.booleans()),
        "cash": draw(st.sampled_from([1e4, 1e7])),
        "group": [None if g < 0 else f"g{g}" for g in group],
    }


@settings(max_examples=300, deadline=None)
@given(portfolios())
def test_engine_matches_reference(p: dict) -> None:
    t, n = p["close"].shape
    idx = pd.bdate_range("2020-01-01", periods=t)
    cols = [f"a{j}" for j in range(n)]
    close = pd.DataFrame(p["close"], index=idx, columns=cols)
    opens = pd.DataFrame(p["open"], index=idx, columns=cols)
    specs = {
        c: InstrumentSpec(kind="futures" if p["futures"][j] else "spot",
                          multiplier=p["multiplier"][j], margin_rate=p["margin"][j],
                          lot=p["lot"][j], basis_per_year=p["basis"][j],
                          margin_group=p["group"][j])
        for j, c in enumerate(cols)
    }
    rolls = {c: idx[p["roll"][:, j]] for j, c in enumerate(cols)}
    costs = Costs(fee=p["fee"], slippage=p["slippage"], borrow_per_year=p["borrow"],
                  cash_rate_per_year=p["cash_rate"],
                  financing_rate_per_year=p["financing_rate"])

    def engine() -> BacktestResult:
        return run_backtest(close, pd.DataFrame(p["target"], index=idx, columns=cols),
                            open_=opens, execution="next_open" if p["at_open"] else "close",
                            instruments=specs, costs=costs, initial_cash=p["cash"],
                            on_shortfall=p["shortfall"], rolls=rolls)

    rolled: list[tuple[int, int, float, float]] = []
    try:
        eq, cash, margin, pos = reference_backtest(
            p["close"], p["target"], open_=p["open"] if p["at_open"] else None,
            year_fraction=year_fraction(idx), cash0=p["cash"], multiplier=p["multiplier"],
            futures=p["futures"], margin=p["margin"], lot=p["lot"], basis=p["basis"],
            fee=[p["fee"]] * n, slippage=[p["slippage"]] * n, borrow=[p["borrow"]] * n,
            cash_rate=p["cash_rate"], financing_rate=p["financing_rate"],
            shortfall=p["shortfall"], group=p["group"], roll=p["roll"], roll_log=rolled)
    except RuntimeError as stop:  # unfundable or ruin: the engine must stop as well
        with pytest.raises(BacktestError, match="even with the targeted" if
                           str(stop) == "unfundable" else "equity fell"):
            engine()
        return
    got = engine()
    scale = p["cash"]
    np.testing.assert_allclose(got.equity.to_numpy() / scale, eq / scale, rtol=0, atol=1e-9)
    np.testing.assert_allclose(got.cash.to_numpy() / scale, cash / scale, rtol=0, atol=1e-9)
    np.testing.assert_allclose(got.margin.to_numpy() / scale, margin / scale, rtol=0, atol=1e-9)
    np.testing.assert_allclose(got.positions.to_numpy(), pos, rtol=1e-9, atol=1e-9)
    listed = got.roll_trades
    assert list(zip(listed["date"], listed["asset"], strict=True)) == \
        [(idx[t], cols[j]) for t, j, _, _ in sorted(rolled)]
    np.testing.assert_allclose(listed["units"], [u for _, _, u, _ in sorted(rolled)],
                               rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(listed["cost"].to_numpy() / scale,
                               np.array([c for *_, c in sorted(rolled)]) / scale, atol=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.0, 0.01))
def test_costs_never_raise_equity(seed: int, fee: float) -> None:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2020-01-01", periods=30)
    close = pd.DataFrame(100 * np.exp(np.cumsum(rng.normal(0, 0.01, (30, 3)), axis=0)),
                         index=idx, columns=list("abc"))
    target = pd.DataFrame(rng.uniform(-0.3, 0.3, (30, 3)), index=idx, columns=list("abc"))
    free = run_backtest(close, target, on_shortfall="finance")
    paid = run_backtest(close, target, costs=Costs(fee=fee), on_shortfall="finance")
    assert paid.equity.iloc[-1] <= free.equity.iloc[-1] + 1e-6
