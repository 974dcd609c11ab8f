"""The sweep fast paths agree with the single back-test and the plain-loop reference.

:func:`~narrowgate.backtest.batch.spot_close_batch_nb` (``sweep_targets`` on spot books
filled at the close) must give every variant bit for bit the equity of ``run_backtest``
on that variant, and so the reference's to 1e-9: random spot portfolios with missing
prices, shorts, fees, slippage, lots, borrow, basis, interest, weights or units, and
shortfalls that send a variant back to the general kernel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from narrowgate.backtest import BacktestError, Costs, InstrumentSpec, run_backtest
from narrowgate.backtest.api import year_fraction
from narrowgate.backtest.sweep import sweep_targets
from tests.backtest.reference import reference_backtest


@st.composite
def spot_sweeps(draw: st.DrawFn) -> dict:
    n = draw(st.integers(1, 4))
    t = draw(st.integers(2, 30))
    k = draw(st.integers(1, 11))  # across a GROUP boundary (8) and a partial group
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    close = 50 * np.exp(np.cumsum(rng.uniform(-0.03, 0.03, (t, n)), axis=0))
    close[rng.uniform(size=(t, n)) < draw(st.sampled_from([0.0, 0.1]))] = np.nan
    kind = draw(st.sampled_from(["weights", "units"]))
    size = draw(st.sampled_from([0.5, 1.0, 3.0]))  # 3.0: leveraged, shortfalls happen
    targets = rng.uniform(-1, 1, (k, t, n)) * size / n
    if kind == "units":
        targets *= 1e4 / 50.0
    targets[:, rng.uniform(size=t) < 0.4] = np.nan
    targets[rng.uniform(size=(k, t, n)) < 0.2] = np.nan
    targets[rng.uniform(size=(k, t, n)) < 0.1] = 0.0
    return {
        "close": close, "targets": targets, "kind": kind,
        "lot": draw(st.sampled_from([0.0, 1.0, 10.0])),
        "basis": rng.uniform(-0.1, 0.1, n) * draw(st.integers(0, 1)),
        "fee": draw(st.sampled_from([0.0, 0.001, 0.003])),
        "slippage": draw(st.sampled_from([0.0, 0.0005])),
        "borrow": draw(st.sampled_from([0.0, 0.02])),
        "cash_rate": draw(st.sampled_from([0.0, 0.03])),
        "financing_rate": draw(st.sampled_from([0.0, 0.06])),
        "shortfall": draw(st.sampled_from(["scale", "finance", "raise"])),
        "cash": draw(st.sampled_from([1e4, 1e6])),
    }


@settings(max_examples=150, deadline=None)
@given(spot_sweeps())
def test_spot_sweep_equals_single_runs_and_reference(p: dict) -> None:
    k, t, n = p["targets"].shape
    idx = pd.bdate_range("2021-01-01", periods=t)
    cols = [f"a{j}" for j in range(n)]
    close = pd.DataFrame(p["close"], index=idx, columns=cols)
    specs = {c: InstrumentSpec(kind="spot", lot=p["lot"], basis_per_year=p["basis"][j])
             for j, c in enumerate(cols)}
    costs = Costs(fee=p["fee"], slippage=p["slippage"], borrow_per_year=p["borrow"],
                  cash_rate_per_year=p["cash_rate"],
                  financing_rate_per_year=p["financing_rate"])
    common = {"target_kind": p["kind"], "instruments": specs, "costs": costs,
              "initial_cash": p["cash"], "on_shortfall": p["shortfall"]}
    swept = sweep_targets(close, p["targets"], allow_failures=True, **common)
    equity = swept.equity.to_numpy()
    status = swept.status["status"].to_numpy()
    for v in range(k):
        target = pd.DataFrame(p["targets"][v], index=idx, columns=cols)
        try:
            single = run_backtest(close, target, **common).equity.to_numpy()
        except BacktestError:
            assert status[v] != 0
            continue
        assert status[v] == 0
        np.testing.assert_array_equal(equity[:, v], single)
        try:
            ref = reference_backtest(
                p["close"], p["targets"][v], kind=p["kind"], year_fraction=year_fraction(idx),
                cash0=p["cash"], lot=[p["lot"]] * n, basis=p["basis"], fee=[p["fee"]] * n,
                slippage=[p["slippage"]] * n, borrow=[p["borrow"]] * n,
                cash_rate=p["cash_rate"], financing_rate=p["financing_rate"],
                shortfall=p["shortfall"])[0]
        except RuntimeError:
            continue  # the reference stops where the engine reports; checked above
        np.testing.assert_allclose(equity[:, v] / p["cash"], ref / p["cash"], rtol=0,
                                   atol=1e-9)
