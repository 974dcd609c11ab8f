"""Hand-checkable cases: each expected figure is arithmetic on the inputs."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from narrowgate.backtest import (
    BacktestError,
    BacktestResult,
    Costs,
    InstrumentSpec,
    run_backtest,
)
from narrowgate.backtest.specs import CFFEX_EQUITY_INDEX
from narrowgate.backtest.strategies import load_strategy
from narrowgate.backtest.sweep import sweep_targets

IDX = pd.bdate_range("2024-01-01", periods=6)


def frame(**cols: list[float]) -> pd.DataFrame:
    return pd.DataFrame(cols, index=IDX, dtype=float)


def once(close: pd.DataFrame, *row: float) -> pd.DataFrame:
    t = pd.DataFrame(np.nan, index=close.index, columns=close.columns)
    t.iloc[0] = row
    return t


def test_buy_and_hold_one_asset_follows_its_price() -> None:
    close = frame(A=[100, 101, 99, 103, 110, 108])
    r = run_backtest(close, once(close, 1.0), initial_cash=1000.0)
    assert np.allclose(r.equity.to_numpy(), 10.0 * close["A"].to_numpy(), rtol=0, atol=1e-9)
    assert r.positions["A"].iloc[-1] == pytest.approx(10.0)
    assert r.cash.abs().max() < 1e-9


def test_half_long_half_short_without_costs_earns_the_spread() -> None:
    close = frame(A=[100, 102, 101, 105, 104, 107], B=[50, 50.5, 52, 51, 49, 50])
    r = run_backtest(close, once(close, 0.5, -0.5), initial_cash=1000.0)
    ra = close["A"] / close["A"].iloc[0] - 1
    rb = close["B"] / close["B"].iloc[0] - 1
    expected = 1000.0 * (1 + 0.5 * ra - 0.5 * rb)
    assert np.allclose(r.equity, expected, atol=1e-9)


def test_fee_reduces_equity_by_fee_times_traded_value() -> None:
    close = frame(A=[100, 100, 100, 100, 100, 100], B=[20, 20, 20, 20, 20, 20])
    targets = once(close, 0.6, -0.3)
    targets.iloc[3] = [0.2, 0.1]
    free = run_backtest(close, targets, initial_cash=10_000.0)
    paid = run_backtest(close, targets, initial_cash=10_000.0, costs=Costs(fee=0.001))
    traded = paid.traded_value
    assert traded.iloc[0] == pytest.approx(6000 + 3000)
    assert free.equity.iloc[-1] == pytest.approx(10_000.0)
    assert paid.equity.iloc[0] == pytest.approx(10_000.0 - 0.001 * 9000)
    loss = free.equity - paid.equity
    assert loss.iloc[-1] == pytest.approx(0.001 * traded.sum(), abs=1e-9)
    assert paid.costs.sum() == pytest.approx(0.001 * traded.sum())


def test_slippage_fills_against_the_trader() -> None:
    close = frame(A=[100.0] * 6)
    r = run_backtest(close, once(close, 0.5), initial_cash=1000.0, costs=Costs(slippage=0.01))
    assert r.trades["price"].iloc[0] == pytest.approx(101.0)
    assert r.equity.iloc[0] == pytest.approx(1000.0 - 5.0 * 1.0)


def test_futures_pnl_is_price_change_times_multiplier_times_lots() -> None:
    close = frame(IF=[4000, 4010, 3990, 4020, 4020, 4100])
    spec = {"IF": InstrumentSpec(kind="futures", multiplier=300, margin_rate=0.12)}
    units = once(close, 3.0)
    r = run_backtest(close, units, target_kind="units", instruments=spec, initial_cash=1e7)
    pnl = (close["IF"] - 4000) * 300 * 3
    assert np.allclose(r.equity - 1e7, pnl, atol=1e-6)
    assert np.allclose(r.margin, close["IF"] * 300 * 3 * 0.12)
    assert r.cash.iloc[-1] == pytest.approx(r.equity.iloc[-1])


def test_futures_weights_round_to_whole_lots() -> None:
    close = frame(IC=[6000.0] * 6)
    spec = {"IC": InstrumentSpec.cffex("cnfut:IC", margin_rate=0.14)}
    r = run_backtest(close, once(close, -1.0), instruments=spec, initial_cash=5_000_000.0)
    assert r.positions["IC"].iloc[0] == -4.0  # 5e6 / (6000 × 200) = 4.17 → 4 lots
    assert r.margin.iloc[0] == pytest.approx(4 * 6000 * 200 * 0.14)


def test_a_buy_funded_by_a_sell_of_the_same_rebalance_settles() -> None:
    close = frame(A=[100.0] * 6, B=[10.0] * 6)
    targets = once(close, 1.0, 0.0)
    targets.iloc[2] = [0.0, 1.0]  # all cash is in A: buying B needs A's proceeds
    r = run_backtest(close, targets, initial_cash=1000.0, on_shortfall="raise")
    assert r.positions.iloc[2].tolist() == [0.0, 100.0]
    assert r.equity.iloc[-1] == pytest.approx(1000.0)


def test_shortfall_raises_or_scales_as_asked() -> None:
    close = frame(A=[100.0] * 6)
    with pytest.raises(BacktestError, match="short by"):
        run_backtest(close, once(close, 1.5), initial_cash=1000.0, on_shortfall="raise")
    scaled = run_backtest(close, once(close, 1.5), initial_cash=1000.0, on_shortfall="scale")
    assert scaled.positions["A"].iloc[0] == pytest.approx(10.0)
    assert scaled.scale.iloc[0] == pytest.approx(1 / 1.5)
    financed = run_backtest(close, once(close, 1.5), initial_cash=1000.0, on_shortfall="finance")
    assert financed.cash.iloc[0] == pytest.approx(-500.0)


def test_margin_shortfall_counts_margin_in_use() -> None:
    close = frame(IF=[4000.0] * 6)
    spec = {"IF": InstrumentSpec(kind="futures", multiplier=300, margin_rate=0.12)}
    with pytest.raises(BacktestError, match="short by"):
        run_backtest(close, once(close, 10.0), instruments=spec, initial_cash=1e6,
                     on_shortfall="raise")  # 10× notional needs 1.2× equity in margin


def test_borrow_fee_interest_and_basis_accrue_per_year() -> None:
    close = frame(A=[100.0] * 6, B=[100.0] * 6)
    costs = Costs(borrow_per_year=0.0365, cash_rate_per_year=0.0365)
    r = run_backtest(close, once(close, 0.0, -0.5), initial_cash=1000.0, costs=costs,
                     periods_per_year=365)
    # each day: borrow 0.0001 × 500 short, interest 0.0001 × 1500 cash
    assert r.carry.iloc[1] == pytest.approx(-0.05 + 0.15)
    spec = {"A": InstrumentSpec(basis_per_year=-0.0365)}  # a discount
    long_ = run_backtest(close, once(close, 1.0, 0.0), instruments=spec, initial_cash=1000.0,
                         periods_per_year=365)
    assert long_.carry.iloc[1] == pytest.approx(0.1)  # a long gains the discount


def test_next_open_fills_at_the_following_open() -> None:
    close = frame(A=[100, 104, 103, 105, 106, 108])
    opens = frame(A=[99, 102, 104, 104, 105, 107])
    r = run_backtest(close, once(close, 1.0), open_=opens, execution="next_open",
                     initial_cash=1020.0)
    assert r.trades["date"].iloc[0] == IDX[1]
    assert r.trades["price"].iloc[0] == 102.0
    assert r.equity.iloc[0] == 1020.0
    assert r.equity.iloc[-1] == pytest.approx(10 * 108.0)


def test_missing_price_for_a_trade_is_an_error() -> None:
    close = frame(A=[np.nan, 100, 100, 100, 100, 100])
    with pytest.raises(BacktestError, match="no price for A"):
        run_backtest(close, once(close, 1.0))


def test_weight_zero_before_listing_is_not_a_trade() -> None:
    close = frame(A=[np.nan, 100, 100, 100, 100, 100], B=[10.0] * 6)
    r = run_backtest(close, once(close, 0.0, 1.0), initial_cash=100.0)
    assert r.equity.iloc[-1] == pytest.approx(100.0)


# --- CFFEX cross-product margin netting (margin groups) ---------------------------------

def cffex_pair(grouped: bool) -> dict[str, InstrumentSpec]:
    """IF and IC at 12% margin, in the CFFEX stock-index group or each on its own."""
    specs = {"IF": InstrumentSpec.cffex("cnfut:IF", margin_rate=0.12),
             "IC": InstrumentSpec.cffex("cnfut:IC", margin_rate=0.12)}
    return specs if grouped else {k: replace(s, margin_group=None) for k, s in specs.items()}


def test_cffex_specs_share_the_equity_index_margin_group() -> None:
    groups = {InstrumentSpec.cffex(f"cnfut:{s}").margin_group for s in ("IF", "IC", "IM")}
    assert groups == {CFFEX_EQUITY_INDEX}


def test_long_if_short_ic_in_one_group_hold_the_larger_side_only() -> None:
    close = frame(IF=[4000, 4010, 3990, 4020, 4050, 4100],  # 4000 × 300 = 1.2 M a lot
                  IC=[6000, 6030, 5990, 6000, 5950, 5900])  # 6000 × 200 = 1.2 M a lot
    r = run_backtest(close, once(close, 2.0, -2.0), target_kind="units",
                     instruments=cffex_pair(True), initial_cash=1e6)
    long_side = 2 * close["IF"] * 300 * 0.12
    short_side = 2 * close["IC"] * 200 * 0.12
    assert r.margin.iloc[0] == pytest.approx(288_000.0)  # one side, not 576,000
    assert np.allclose(r.margin, np.maximum(long_side, short_side), rtol=0, atol=1e-6)
    assert (r.margin.iloc[1:] < long_side.iloc[1:] + short_side.iloc[1:]).all()


def test_without_groups_margin_is_the_sum_of_both_sides() -> None:
    close = frame(IF=[4000, 4010, 3990, 4020, 4050, 4100],
                  IC=[6000, 6030, 5990, 6000, 5950, 5900])
    r = run_backtest(close, once(close, 2.0, -2.0), target_kind="units",
                     instruments=cffex_pair(False), initial_cash=2e6)
    expected = 2 * close["IF"] * 300 * 0.12 + 2 * close["IC"] * 200 * 0.12
    assert r.margin.iloc[0] == pytest.approx(576_000.0)
    assert np.allclose(r.margin, expected, rtol=0, atol=1e-6)


def test_grouped_and_ungrouped_futures_add_up() -> None:
    close = frame(IF=[4000.0] * 6, IC=[6000.0] * 6, IM=[6000.0] * 6)
    specs = {**cffex_pair(True),
             "IM": InstrumentSpec(kind="futures", multiplier=200, margin_rate=0.15)}
    r = run_backtest(close, once(close, 3.0, -1.0, -1.0), target_kind="units",
                     instruments=specs, initial_cash=1e7)
    # group: max(3 × 1.2 M, 1 × 1.2 M) × 12%; IM on its own: 1.2 M × 15%
    assert r.margin.iloc[0] == pytest.approx(3 * 1.2e6 * 0.12 + 1.2e6 * 0.15)


def test_netting_lets_a_trade_fit_that_the_sum_would_not() -> None:
    close = frame(IF=[4000.0] * 6, IC=[6000.0] * 6)
    units = once(close, 2.0, -2.0)  # 288,000 netted, 576,000 summed, against 400,000 cash
    netted = run_backtest(close, units, target_kind="units", instruments=cffex_pair(True),
                          initial_cash=400_000.0, on_shortfall="raise")
    assert netted.positions.iloc[0].tolist() == [2.0, -2.0]
    assert netted.cash.iloc[0] - netted.margin.iloc[0] == pytest.approx(112_000.0)
    with pytest.raises(BacktestError, match=r"short by 176,000\.00"):
        run_backtest(close, units, target_kind="units", instruments=cffex_pair(False),
                     initial_cash=400_000.0, on_shortfall="raise")
    scaled = run_backtest(close, units, target_kind="units", instruments=cffex_pair(False),
                          initial_cash=400_000.0, on_shortfall="scale")
    assert scaled.positions.iloc[0].tolist() == [1.0, -1.0]


def test_sweeps_net_margin_like_a_single_back_test() -> None:
    close = frame(IF=[4000, 4010, 3990, 4020, 4050, 4100],
                  IC=[6000, 6030, 5990, 6000, 5950, 5900])
    weights = once(close, 6.0, -6.0)  # on 400 k: 2 lots a leg, fits netted, not summed
    stack = np.stack([weights.to_numpy(), 0.5 * weights.to_numpy()])
    final = {}
    for grouped in (True, False):
        specs = cffex_pair(grouped)
        swept = sweep_targets(close, stack, instruments=specs, initial_cash=400_000.0)
        for k in range(2):
            single = run_backtest(close, pd.DataFrame(stack[k], index=IDX, columns=close.columns),
                                  instruments=specs, initial_cash=400_000.0)
            np.testing.assert_array_equal(swept.equity[k].to_numpy(), single.equity.to_numpy())
            if k == 0:
                final[grouped] = single.positions.iloc[-1].tolist()
    assert final == {True: [2.0, -2.0], False: [1.0, -1.0]}


def test_margin_group_on_a_spot_instrument_is_rejected() -> None:
    with pytest.raises(ValueError, match="margin_group 'CFFEX-equity-index' is set on a spot"):
        InstrumentSpec(kind="spot", margin_group=CFFEX_EQUITY_INDEX)
    with pytest.raises(ValueError, match="non-empty name"):
        InstrumentSpec(kind="futures", multiplier=300, margin_rate=0.12, margin_group=" ")
    # a strategy file declares instruments as mappings: the same check, located by pydantic
    spot = {"multiplier": 300, "margin_group": CFFEX_EQUITY_INDEX}
    with pytest.raises(ValidationError, match=r"instruments\.IF\n.*set on a spot instrument"):
        load_strategy({"kind": "pair", "long": "IF", "short": "IC", "instruments": {"IF": spot}})



# --- futures rolls: two fills of the lots held, at the roll close ----------------------

FEE, SLIP = 0.0002, 0.0001
IF_CLOSE = frame(IF=[4000, 4010, 3990, 4020, 4050, 4100])
IF_SPEC = {"IF": InstrumentSpec(kind="futures", multiplier=300, margin_rate=0.12)}


def if_run(targets: pd.DataFrame, rolls: dict[str, list[Any]] | None = None,
           **kw: Any) -> BacktestResult:
    """IF lots (units) on ``targets`` with fee 2 bp and slippage 1 bp; 10 M cash unless
    ``initial_cash`` is given."""
    return run_backtest(IF_CLOSE, targets, target_kind="units", instruments=IF_SPEC,
                        costs=Costs(fee=FEE, slippage=SLIP), rolls=rolls,
                        **{"initial_cash": 1e7, **kw})


def test_a_roll_charges_two_fills_of_the_lots_held() -> None:
    held = once(IF_CLOSE, -3.0)
    plain = if_run(held)
    rolled = if_run(held, {"IF": [IDX[3]]})
    charge = 2 * 3 * 300 * 4020 * (FEE + SLIP)  # 2 × |u| × multiplier × close × (fee + slip)
    assert rolled.costs.iloc[3] == pytest.approx(charge, rel=1e-12)
    assert (rolled.costs.drop(IDX[3]) == plain.costs.drop(IDX[3])).all()
    np.testing.assert_allclose(plain.equity - rolled.equity, [0, 0, 0, charge, charge, charge],
                               rtol=1e-12, atol=1e-6)
    assert rolled.positions.equals(plain.positions)  # a roll leaves the position as it was
    assert len(rolled.trades) == len(plain.trades) == 1
    (listed,) = rolled.roll_trades.itertuples()
    assert (listed.date, listed.asset, listed.units, listed.price) == (IDX[3], "IF", -3.0, 4020)
    assert listed.cost == pytest.approx(charge, rel=1e-12)
    assert plain.roll_trades.empty and list(plain.roll_trades) == list(rolled.roll_trades)


def test_no_rolls_change_nothing_bit_for_bit() -> None:
    targets = once(IF_CLOSE, 3.0)
    targets.iloc[4] = -2.0
    base = if_run(targets)
    for rolls in ({}, {"IF": []}):
        same = if_run(targets, rolls)
        for name in ("equity", "cash", "margin", "costs", "carry", "scale"):
            np.testing.assert_array_equal(getattr(same, name), getattr(base, name))
    late = targets.copy()
    late.iloc[0] = np.nan  # flat until row 4: a roll on row 1 has nothing to trade
    np.testing.assert_array_equal(if_run(late, {"IF": [IDX[1]]}).equity, if_run(late).equity)


def test_a_roll_and_a_rebalance_at_one_close_roll_the_lots_held_before() -> None:
    targets = once(IF_CLOSE, 3.0)
    targets.iloc[3] = 5.0  # 2 more bought at the roll close: in the new contract
    plain = if_run(targets)
    rolled = if_run(targets, {"IF": [IDX[3]]})
    roll = 2 * 3 * 300 * 4020 * (FEE + SLIP)
    buy = 2 * 300 * 4020 * (FEE * (1 + SLIP) + SLIP)  # the rebalance's own fill
    assert plain.costs.iloc[3] == pytest.approx(buy, rel=1e-12)
    assert rolled.costs.iloc[3] == pytest.approx(roll + buy, rel=1e-12)
    assert rolled.positions["IF"].iloc[3] == 5.0
    assert rolled.roll_trades["units"].tolist() == [3.0]
    # filled at the next open: the roll at that day's close moves the lots just bought
    opens = frame(IF=[4000, 4005, 3995, 4015, 4045, 4095])
    at_open = if_run(targets, {"IF": [IDX[4]]}, open_=opens, execution="next_open")
    no_roll = if_run(targets, open_=opens, execution="next_open")
    assert at_open.positions["IF"].iloc[4] == 5.0
    extra = at_open.costs - no_roll.costs
    assert extra.iloc[4] == pytest.approx(2 * 5 * 300 * 4050 * (FEE + SLIP), rel=1e-12)
    assert at_open.roll_trades["units"].tolist() == [5.0]
    assert at_open.roll_trades["cost"].sum() == pytest.approx(extra.sum(), rel=1e-12)


def test_roll_costs_count_in_the_shortfall_check_of_that_close() -> None:
    targets = once(IF_CLOSE, 3.0)
    targets.iloc[3] = 4.0
    plain = if_run(targets)
    spare = 100.0  # cash minus margin after row 3's rebalance, without the roll
    cash = 1e7 - (plain.cash.iloc[3] - plain.margin.iloc[3]) + spare
    assert if_run(targets, initial_cash=cash, on_shortfall="raise").positions["IF"].iloc[3] == 4
    roll = 2 * 3 * 300 * 4020 * (FEE + SLIP)  # 2,170.80
    with pytest.raises(BacktestError, match=rf"short by {roll - spare:,.2f} after the rebalance"):
        if_run(targets, {"IF": [IDX[3]]}, initial_cash=cash, on_shortfall="raise")
    scaled = if_run(targets, {"IF": [IDX[3]]}, initial_cash=cash, on_shortfall="scale")
    assert scaled.positions["IF"].iloc[3] == 3.0  # the 4th lot no longer fits
    assert scaled.scale.iloc[3] < 1.0


def test_roll_dates_are_checked_at_the_edge() -> None:
    close = frame(IF=[4000.0] * 6, A=[10.0] * 6)
    targets = once(close, 1.0, 0.5)
    spec = {"IF": IF_SPEC["IF"]}
    with pytest.raises(BacktestError, match=r"roll dates for spot instruments \['A'\]"):
        run_backtest(close, targets, target_kind="units", instruments=spec,
                     rolls={"A": [IDX[2]]})
    with pytest.raises(BacktestError, match=r"columns not in the prices: \['IC'\]"):
        run_backtest(close, targets, target_kind="units", instruments=spec,
                     rolls={"IC": [IDX[2]]})
    with pytest.raises(BacktestError, match=r"roll dates of IF not in the price index: "
                                            r"\['2024-01-06'\]") as info:
        run_backtest(close, targets, target_kind="units", instruments=spec,
                     rolls={"IF": [IDX[2], "2024-01-06"]})  # a Saturday
    assert "rows of the prices" in str(info.value.hint)
    holed = close.copy()
    holed.iloc[2, 0] = np.nan
    with pytest.raises(BacktestError, match="no close of IF on its roll dates"):
        run_backtest(holed, targets, target_kind="units", instruments=spec,
                     rolls={"IF": [IDX[2]]})
    with pytest.raises(BacktestError, match="roll dates are not dates"):
        run_backtest(close, targets, target_kind="units", instruments=spec,
                     rolls={"IF": ["after the May expiry"]})
