"""if-vs-ic-im's price sources: rolled single contracts when the store holds every one the
window needs, else the index proxy (also when only sina's main continuous series is
stored, which is read just to show its roll jumps).

The contract bars are synthetic — no CFFEX contract data exists in ../shared/data: each
contract is its real index level (CSI 300/500/1000 from the imported store) times
(1 + basis × years to the contract's expiry), so it converges to the index at expiry and
the next month quotes lower at each roll, as IC/IM do. They are written into a copy of
the imported store.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from narrowgate.data.hub import DataHub
from narrowgate.data.store import Store, StoreWrite
from narrowgate.evaluate.futures_prices import NOT_FOR_PNL
from narrowgate.evaluate.registry import get_evaluator
from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.trade_backtest import run_trade
from narrowgate.evaluate.verdict import Verdict
from narrowgate.models.futures_roll import (
    ContractMonth,
    cffex_sessions,
    expiry_session,
    front_month_schedule,
)
from narrowgate.report.commands import how_text, pull_command
from tests.conftest import eval_context

LEGS = {"cnfut:IF": ("cnidx:000300", -0.03), "cnfut:IC": ("cnidx:000905", -0.08),
        "cnfut:IM": ("cnidx:000852", -0.11)}
SESSIONS = cffex_sessions(date(2015, 1, 1), date(2026, 12, 31))
AS_OF = "2026-07-31"  # CSI 500/1000's last close in the shared data
START = date(2025, 6, 2)  # a short back-test: 15 contracts a leg
FETCHED = datetime.now() - timedelta(hours=1)


@pytest.fixture
def store(imported_store_path: Path, tmp_path: Path) -> Store:
    path = tmp_path / "store.duckdb"
    shutil.copy(imported_store_path, path)
    return Store(path)


def index_closes(store: Store, index: str) -> pd.Series:
    rows = store.read_rows("bars", [(index, c.source) for c in store.coverage([index], "bars")
                                    ][:1])
    return rows.set_index(pd.DatetimeIndex(rows["date"]))["close"].astype(float)


def futures_price(level: pd.Series, contract: str, basis: float) -> pd.Series:
    """The index × (1 + basis × ACT/365 years to the contract's expiry)."""
    expiry = expiry_session(ContractMonth.parse(contract), SESSIONS)
    years = np.asarray((expiry - level.index).days, dtype=float) / 365
    return level * (1 + basis * years)


def bars(close: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"date": close.index, "open": close.values, "high": close.values,
                         "low": close.values, "close": close.values,
                         "adj_close": close.values, "volume": 1.0})


def write_contracts(store: Store, start: date, end: date, skip: frozenset[str] = frozenset()
                    ) -> dict[str, dict[str, pd.Series]]:
    """Every front-month contract each leg holds from start to end, from 40 days before it
    is first held to its expiry (or the index's last close)."""
    writes, prices = [], {}
    for leg, (index, basis) in LEGS.items():
        level = index_closes(store, index)
        held = front_month_schedule(leg.partition(":")[2], SESSIONS, start=start, end=end)
        prices[leg] = {}
        for code, days in held.groupby(held, sort=False).groups.items():
            expiry = expiry_session(ContractMonth.parse(str(code)), SESSIONS)
            part = level.loc[pd.DatetimeIndex(days)[0] - pd.Timedelta(days=40):expiry]
            price = futures_price(part, str(code), basis)
            prices[leg][str(code)] = price
            if f"cnfut:{code}" not in skip:
                writes.append(StoreWrite("bars", f"cnfut:{code}", "synthetic", bars(price),
                                         "test", f"synthetic {code}", FETCHED))
    store.write(writes)
    return prices


def plan_of(store: Store, as_of: str = AS_OF, **edits: Any) -> Any:
    ctx = eval_context(DataHub(store, offline=True), as_of)
    claim = ctx.thesis.claim("if-vs-ic-im")
    evaluator = get_evaluator(claim.test)
    params = evaluator.params_model.model_validate({**claim.params, **edits})
    return evaluator.backtest_plan(params, ctx)  # type: ignore[attr-defined]


def test_rolled_contracts_are_used_when_all_are_stored(store: Store) -> None:
    prices = write_contracts(store, START, date.fromisoformat(AS_OF))
    plan = plan_of(store, backtest_start=START)
    assert plan.missing == []
    assert list(plan.closes.columns) == list(LEGS)
    assert all(spec.basis_per_year == 0.0 for spec in plan.strategy.instruments.values())
    ic = plan.closes["cnfut:IC"].dropna()
    held = front_month_schedule("IC", SESSIONS, start=START, end=date.fromisoformat(AS_OF))
    # the latest contract is unadjusted: the last close is IC2608's own
    assert ic.iloc[-1] == pytest.approx(prices["cnfut:IC"]["IC2608"].iloc[-1])
    for roll in held.index[held.ne(held.shift(-1))][:-1]:
        new = prices["cnfut:IC"][held[held.index > roll].iloc[0]]
        after = ic.index[ic.index.get_loc(roll) + 1]
        own = new[after] / new[roll] - 1
        assert ic[after] / ic[roll] - 1 == pytest.approx(own, abs=1e-12)  # no roll jump
    note = next(n.en for n in plan.notes if n.en.startswith("Single contracts"))
    assert "2 sessions before expiry" in note
    assert "cnfut:IC: cnfut:IC2506…cnfut:IC2608 (15 contracts)" in note
    assert ("Roll dates since publication: 2026-02-12, 2026-03-18, 2026-04-15, 2026-05-13, "
            "2026-06-17, 2026-07-15.") in note  # Feb: expiry Tue 24th after Spring Festival
    assert "cnidx:000905" not in {d.instrument for d in plan.data}
    (used,) = [d for d in plan.data if d.instrument == "cnfut:IC" and "synthetic" in d.source]
    assert used.note is not None and "15 contracts, 14 rolls" in used.note
    assert used.start == ic.index[0].date() and used.end == date.fromisoformat(AS_OF)


def test_rolled_contracts_agree_with_the_proxy_at_the_same_basis(store: Store) -> None:
    """Futures that converge to the index at the basis the proxy charges: both paths give
    nearly the same return (the proxy is a fair stand-in when its basis is right)."""
    write_contracts(store, START, date.fromisoformat(AS_OF))
    ctx = eval_context(DataHub(store, offline=True), AS_OF)
    claim = ctx.thesis.claim("if-vs-ic-im")
    real = evaluate_claim(claim.model_copy(update={"params": {**claim.params,
                                                              "backtest_start": START}}), ctx)
    proxy = evaluate_claim(claim.model_copy(update={"params": {
        **claim.params, "backtest_start": START, "roll": "index-proxy"}}), ctx)
    assert real.error is None and proxy.error is None
    fig = {r: {f.key: f.value for f in res.evidence.figures} for r, res in
           (("real", real), ("proxy", proxy))}
    assert fig["real"]["carry"] == 0  # the basis is in the prices
    assert fig["proxy"]["carry"] < 0
    # both pay their rolls on the same front-month dates (the proxy stands in for them);
    # whole lots re-sized monthly on slightly different equity paths keep them ~0.3 pp apart
    assert fig["real"]["since_return"] == pytest.approx(fig["proxy"]["since_return"], abs=0.4)
    assert fig["proxy"]["roll_costs"] == pytest.approx(fig["real"]["roll_costs"], rel=0.05)
    assert proxy.evidence.missing == []  # the proxy was asked for: nothing is missing


def test_rolled_contracts_pay_their_rolls_at_the_params_cost(store: Store) -> None:
    write_contracts(store, START, date.fromisoformat(AS_OF))
    plan = plan_of(store, backtest_start=START)
    assert set(plan.rolls) == set(LEGS)
    assert pd.Timestamp("2026-05-13") in plan.rolls["cnfut:IC"]
    assert not any("are not charged" in n.en for n in plan.notes)  # no estimate: charged
    published = eval_context(DataHub(store, offline=True), AS_OF).published
    charged = run_trade(plan, published)
    rolled = charged.report.result.roll_trades
    # 6 roll dates since publication (Feb-Jul), each leg held on each, at 2 bp a fill
    assert len(rolled) == 18
    assert rolled["asset"].value_counts().to_dict() == {leg: 6 for leg in LEGS}
    np.testing.assert_allclose(rolled["cost"], 2 * rolled["value"] * 2e-4, rtol=1e-12)
    total = float(rolled["cost"].sum())
    # fractional lots (no whole-lot rounding to shift the book): the return falls by the
    # roll costs on the initial capital, up to the compounding of the lower equity
    fractional = {k: replace(v, lot=0.0) for k, v in plan.strategy.instruments.items()}
    exact = replace(plan, strategy=plan.strategy.model_copy(update={"instruments": fractional}))
    paid = run_trade(exact, published)
    free = run_trade(replace(exact, rolls=None), published)
    assert free.report.result.roll_trades.empty
    # a roll's cost leaves cash; from the next rebalance on, the book sized on the lower
    # equity earns the trade's return on it: E_free(T) / E_free(that rebalance) per CNY
    equity, scale = free.report.result.equity, free.report.result.scale
    resized = equity.index[np.isfinite(scale.to_numpy())]
    lost = 0.0
    for day, cost in paid.report.result.roll_trades.groupby("date")["cost"].sum().items():
        later = resized[resized > day]
        lost += cost * (equity.iloc[-1] / equity[later[0]] if len(later) else 1.0)
    drop = free.report.total_return - paid.report.total_return
    assert drop == pytest.approx(lost / 1e8, rel=2e-3)
    assert (paid.report.history < free.report.history).all()  # history windows pay too
    # what the evidence says
    ctx = eval_context(DataHub(store, offline=True), AS_OF)
    claim = ctx.thesis.claim("if-vs-ic-im")
    result = evaluate_claim(claim.model_copy(update={"params": {
        **claim.params, "backtest_start": START}}), ctx)
    fig = {f.key: f.value for f in result.evidence.figures}
    assert fig["roll_costs"] == pytest.approx(total, abs=0.01)
    note = next(n for n in result.evidence.notes if n.en.startswith("Roll costs are charged"))
    assert "18 rolls since publication (cnfut:IF 6, cnfut:IC 6, cnfut:IM 6)" in note.en
    assert f"CNY {total:,.0f} in all (2.00 bp a fill" in note.en
    assert "换月成本已计入回测" in note.zh and f"{total:,.0f} CNY" in note.zh


def test_one_missing_contract_falls_back_to_the_proxy_naming_it(store: Store) -> None:
    write_contracts(store, START, date.fromisoformat(AS_OF), skip=frozenset({"cnfut:IC2605"}))
    plan = plan_of(store, backtest_start=START)
    (missing,) = plan.missing
    assert missing.what.startswith("cnfut:IC single-contract daily bars: 1 of the 15")
    assert missing.fetch == ["cnfut:IC2605"]
    level = index_closes(store, "cnidx:000905")
    ic = plan.closes["cnfut:IC"].dropna()
    assert np.allclose(ic, level.reindex(ic.index))  # the index level stands in
    assert plan.strategy.instruments["cnfut:IC"].basis_per_year == pytest.approx(-0.08)
    assert any(n.en.startswith("Index levels stand in") for n in plan.notes)
    # the proxy pays the rolls the front-month rule gives, on the contracts' own dates
    assert plan.rolls is not None and date(2026, 5, 13) in plan.rolls["cnfut:IC"]
    assert plan.rolls["cnfut:IC"] == plan.rolls["cnfut:IF"] == plan.rolls["cnfut:IM"]
    assert not any("are not charged" in n.en for n in plan.notes)


def test_a_contract_lacking_its_roll_day_falls_back_naming_it(store: Store) -> None:
    prices = write_contracts(store, START, date.fromisoformat(AS_OF))
    holed = prices["cnfut:IC"]["IC2606"].drop(pd.Timestamp("2026-05-13"))  # the May roll
    store.write([StoreWrite("bars", "cnfut:IC2606", "synthetic", bars(holed), "test",
                            "synthetic IC2606", FETCHED)])
    plan = plan_of(store, backtest_start=START)
    (missing,) = plan.missing
    assert "cannot roll cnfut:IC2605 → cnfut:IC2606 at the close of 2026-05-13" in missing.what
    assert missing.fetch == ["cnfut:IC2606"] and "re-fetch" in missing.how
    assert plan.strategy.instruments["cnfut:IC"].basis_per_year == pytest.approx(-0.08)


def test_main_continuous_alone_is_not_a_price(store: Store) -> None:
    """Sina's main continuous series, spliced without adjustment, stored for every leg: the
    verdict stays the index proxy's, and the note shows the jumps it would have booked."""
    writes = []
    for leg, (index, basis) in LEGS.items():
        level = index_closes(store, index).loc["2016-01-04":"2026-07-31"]
        held = front_month_schedule(leg.partition(":")[2], SESSIONS, roll_days=1,
                                    start=date(2016, 1, 4), end=level.index[-1].date())
        level = level.reindex(held.index).dropna()
        main = pd.concat([futures_price(level[held.reindex(level.index) == code], code, basis)
                          for code in dict.fromkeys(held)]).sort_index()
        writes.append(StoreWrite("bars", leg, "akshare", bars(main), "akshare",
                                 "akshare.futures_main_sina(...)", FETCHED))
    store.write(writes)
    ctx = eval_context(DataHub(store, offline=True), as_of="2026-07-31")
    result = evaluate_claim(ctx.thesis.claim("if-vs-ic-im"), ctx)
    assert result.error is None and result.verdict is Verdict.SUPPORTED
    fig = {f.key: f.value for f in result.evidence.figures}
    assert fig["since_return"] == pytest.approx(2.35, abs=0.005)  # as on the proxy alone
    note = next(n for n in result.evidence.notes if "main continuous" in n.en)
    assert "not used for P&L" in note.en and "不用于盈亏" in note.zh
    assert "cnfut:IC: " in note.en  # its suspected switch days, largest, sum
    used = [d for d in result.evidence.data if d.instrument == "cnfut:IC"]
    assert used and used[0].note == NOT_FOR_PNL
    hows = " ".join(how_text(m) for m in result.evidence.missing)  # as the report shows it
    assert "narrowgate data pull cnfut:IC16{01..12} cnfut:IC{17..25}{01..12}" in hows


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash for brace expansion")
def test_pull_command_expands_to_exactly_the_ids() -> None:
    ids = [f"cnfut:IF{y:02d}{m:02d}" for y in range(16, 27) for m in range(1, 13)
           if (16, 3) <= (y, m) <= (26, 2)] + ["cnfut:IC2605", "cnfut:IC2607", "cnfut:IC2608"]
    command = pull_command(ids)
    assert command == ("narrowgate data pull cnfut:IF16{03..12} cnfut:IF{17..25}{01..12} "
                       "cnfut:IF26{01..02} cnfut:IC2605 cnfut:IC26{07..08}")
    words = subprocess.run(["bash", "-c", f"echo {command}"], capture_output=True, text=True,
                           check=True).stdout.split()
    assert words[3:] == ids
