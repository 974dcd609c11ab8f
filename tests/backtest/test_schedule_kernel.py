"""The schedule kernel (large spot back-tests filled at the close) is run_nb bit for bit.

:mod:`narrowgate.backtest.schedule_kernel` walks a rebalance schedule in two passes;
run_backtest takes it from ``api.SCHEDULE_MIN_CELLS`` cells up. Here the threshold is
lowered to 0 so random small portfolios (missing prices, shorts, fees, slippage, lots,
weights or units, leverage that makes shortfalls, schedules given as sparse rows, out of
order or with labels outside the prices) run through it and through run_nb: every
recorded series and the positions must be equal bit for bit, failures must fail alike,
and the equity must match the plain-loop reference to 1e-9.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from narrowgate.backtest import BacktestError, Costs, InstrumentSpec, api, run_backtest
from narrowgate.backtest.api import year_fraction
from tests.backtest.reference import reference_backtest

SERIES = ("equity", "cash", "margin", "costs", "carry", "scale")


@st.composite
def schedules(draw: st.DrawFn) -> dict:
    n = draw(st.integers(1, 4))
    t = draw(st.integers(2, 30))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    close = 50 * np.exp(np.cumsum(rng.uniform(-0.03, 0.03, (t, n)), axis=0))
    close[rng.uniform(size=(t, n)) < draw(st.sampled_from([0.0, 0.1]))] = np.nan
    kind = draw(st.sampled_from(["weights", "units"]))
    target = rng.uniform(-1, 1, (t, n)) * draw(st.sampled_from([0.5, 1.0, 3.0])) / n
    if kind == "units":
        target *= 1e4 / 50.0
    target[rng.uniform(size=t) < 0.5] = np.nan
    target[rng.uniform(size=(t, n)) < 0.2] = np.nan
    target[rng.uniform(size=(t, n)) < 0.1] = 0.0
    return {"close": close, "target": target, "kind": kind,
            "layout": draw(st.sampled_from(["full", "sparse", "shuffled", "extra"])),
            "lot": draw(st.sampled_from([0.0, 1.0, 10.0])),
            "fee": draw(st.sampled_from([0.0, 0.001, 0.003])),
            "slippage": draw(st.sampled_from([0.0, 0.0005])),
            "shortfall": draw(st.sampled_from(["scale", "finance", "raise"])),
            "cash": draw(st.sampled_from([1e4, 1e6])), "seed": int(rng.integers(2**31))}


def _targets(p: dict, idx: pd.DatetimeIndex, cols: list[str]) -> pd.DataFrame:
    """The schedule in the layout drawn: every price row, only the rows with a target,
    those rows shuffled, or with rows dated outside the prices (dropped by both paths)."""
    full = pd.DataFrame(p["target"], index=idx, columns=cols)
    if p["layout"] == "full":
        return full
    rows = full.dropna(how="all")
    if p["layout"] == "shuffled":
        return rows.sample(frac=1.0, random_state=p["seed"])
    if p["layout"] == "extra":
        outside = pd.DataFrame(0.3, index=[idx[-1] + pd.Timedelta(days=400)], columns=cols)
        return pd.concat([rows, outside])
    return rows


@settings(max_examples=200, deadline=None)
@given(schedules())
def test_schedule_kernel_is_run_nb_bit_for_bit(p: dict) -> None:
    t, n = p["close"].shape
    idx = pd.bdate_range("2022-01-03", periods=t)
    cols = [f"a{j}" for j in range(n)]
    close = pd.DataFrame(p["close"], index=idx, columns=cols)
    kwargs = {"target_kind": p["kind"], "costs": Costs(fee=p["fee"], slippage=p["slippage"]),
              "instruments": {c: InstrumentSpec(lot=p["lot"]) for c in cols},
              "initial_cash": p["cash"], "on_shortfall": p["shortfall"]}
    targets = _targets(p, idx, cols)

    def run(min_cells: int) -> object:
        saved, api.SCHEDULE_MIN_CELLS = api.SCHEDULE_MIN_CELLS, min_cells
        try:
            return run_backtest(close, targets, **kwargs)
        except BacktestError as err:
            return err.message
        finally:
            api.SCHEDULE_MIN_CELLS = saved

    fast, slow = run(0), run(10**12)
    if isinstance(slow, str):
        assert fast == slow
        return
    assert not isinstance(fast, str)
    for name in SERIES:
        np.testing.assert_array_equal(getattr(fast, name).to_numpy(),
                                      getattr(slow, name).to_numpy(), err_msg=name)
    np.testing.assert_array_equal(fast.positions.to_numpy(), slow.positions.to_numpy())
    try:
        ref = reference_backtest(p["close"], p["target"], kind=p["kind"],
                                 year_fraction=year_fraction(idx), cash0=p["cash"],
                                 lot=[p["lot"]] * n, fee=[p["fee"]] * n,
                                 slippage=[p["slippage"]] * n, shortfall=p["shortfall"])[0]
    except RuntimeError:
        return
    np.testing.assert_allclose(fast.equity.to_numpy() / p["cash"], ref / p["cash"], rtol=0,
                               atol=1e-9)


def test_large_monthly_schedule_takes_the_kernel_and_matches_the_full_frame() -> None:
    """A 300 × 1,000 book (above SCHEDULE_MIN_CELLS) given as its 48 monthly rows equals the same
    schedule expanded to every price row, bit for bit."""
    rng = np.random.default_rng(7)
    idx = pd.bdate_range("2015-01-01", periods=1000)
    cols = [f"s{j}" for j in range(300)]
    close = pd.DataFrame(100 * np.exp(np.cumsum(rng.normal(0, 0.01, (1000, 300)), axis=0)),
                         index=idx, columns=cols)
    assert close.size >= api.SCHEDULE_MIN_CELLS
    month = idx.to_period("M")
    first = idx[np.r_[True, month[1:] != month[:-1]]]
    weights = np.where(np.arange(300) < 150, 0.5 / 150, -0.5 / 150)
    monthly = pd.DataFrame(np.tile(weights, (len(first), 1)), index=first, columns=cols)
    sparse = run_backtest(close, monthly, costs=Costs(fee=0.001))
    full = run_backtest(close, monthly.reindex(idx), costs=Costs(fee=0.001))
    for name in SERIES:
        np.testing.assert_array_equal(getattr(sparse, name).to_numpy(),
                                      getattr(full, name).to_numpy())
    assert np.isfinite(sparse.scale.to_numpy()).sum() == len(first)
