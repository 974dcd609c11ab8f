"""rotation-trade decided on the real DIA, IWM, QQQ and IGV closes of the imported store."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from narrowgate.evaluate.registry import get_evaluator
from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.trade_backtest import run_trade
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import eval_context

LONG, SHORT = ["us:DIA", "us:IWM"], ["us:QQQ", "us:IGV"]


def _plan(hub: Any, **edits: Any) -> tuple[Any, Any]:
    ctx = eval_context(hub)
    claim = ctx.thesis.claim("rotation-trade")
    evaluator = get_evaluator(claim.test)
    params = evaluator.params_model.model_validate({**claim.params, **edits})
    return ctx, evaluator.backtest_plan(params, ctx)  # type: ignore[attr-defined]


def _direct_monthly(closes: pd.DataFrame, cash: float) -> pd.Series:
    """Equal gross (0.25 a leg), back to target at the anchor and each month's first
    close: equity compounds each period's spread of simple returns."""
    values, base, held_from = [], cash, closes.index[0]
    for day in closes.index:
        if day.to_period("M") != held_from.to_period("M"):
            rel = closes.loc[day] / closes.loc[held_from] - 1
            base *= 1 + 0.25 * (rel[LONG].sum() - rel[SHORT].sum())
            held_from = day
        rel = closes.loc[day] / closes.loc[held_from] - 1
        values.append(base * (1 + 0.25 * (rel[LONG].sum() - rel[SHORT].sum())))
    return pd.Series(values, index=closes.index)


def test_since_publication_equals_the_direct_computation(imported_hub: object) -> None:
    ctx, plan = _plan(imported_hub, cost_bps_per_trade=0, borrow_bps_per_year=0)
    run = run_trade(plan, ctx.published)
    window = plan.closes[LONG + SHORT].dropna().loc["2026-02-06":]
    assert run.report.anchor == pd.Timestamp("2026-02-06")  # published Sunday 2026-02-08
    assert run.report.end == pd.Timestamp("2026-07-23")  # IGV's last close
    direct = _direct_monthly(window, plan.strategy.initial_cash)
    got = run.report.result.equity
    assert np.allclose(got.to_numpy(), direct.to_numpy(), rtol=0, atol=1e-9 * 1e6)
    assert run.report.total_return == pytest.approx(direct.iloc[-1] / 1e6 - 1, abs=1e-9)


def test_contradicted_late_with_history_and_charts(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("rotation-trade"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.CONTRADICTED
    fig = {f.key: f.value for f in result.evidence.figures}
    assert (fig["window_start"], fig["window_end"]) == ("2026-02-06", "2026-07-23")
    assert fig["window_days"] == 114
    assert fig["since_return"] == pytest.approx(-3.07, abs=0.005)  # after 5 bp and borrow
    assert fig["max_drawdown"] == pytest.approx(-10.5, abs=0.05)
    assert fig["percentile"] == pytest.approx(41.5, abs=0.05)
    assert fig["history_hit_rate"] == pytest.approx(25.5, abs=0.05)
    assert fig["history_start"] == "2014-01-02"  # IGV's first close in the store
    assert fig["pre_publication_6m"] == pytest.approx(13.2, abs=0.05)
    # leg moves are the closes' own arithmetic
    assert fig["leg_return_us:QQQ"] == pytest.approx(13.5, abs=0.01)
    # the plain spread a reader would compute (entry weights, no rebalancing, no costs)
    moves = {leg: fig[f"leg_return_{leg}"] for leg in LONG + SHORT}
    plain = sum(moves[leg] for leg in LONG) / 2 - sum(moves[leg] for leg in SHORT) / 2
    assert fig["plain_spread"] == pytest.approx(plain, abs=0.01)
    assert fig["plain_spread"] == pytest.approx(-2.96, abs=0.005)
    assert ("Return definition: 0.5× equity a side, back to target monthly, after 5 bp fees "
            "and 50 bp/yr borrow; closes: split basis.") in result.summary.en
    assert "收益口径:每边 0.5 倍权益,每月调回目标权重" in result.summary.zh
    assert "annualised" in next(f.unit for f in result.evidence.figures if f.key == "sharpe")
    assert any("late" in n.en for n in result.evidence.notes)
    charts = result.evidence.charts
    # equity, drawdown, rolling 6-month return and the P&L attribution waterfall (bars)
    assert len(charts) == 4 and charts[0].series[0].x[0] == "2026-02-06"
    assert charts[3].series[-1].kind == "bar" and charts[3].series[-1].name == "total"
    assert all(len(s.x) <= 401 for c in charts for s in c.series)
    assert {d.instrument for d in result.evidence.data} == set(LONG + SHORT)
    (watch,) = result.evidence.watch  # both thresholds are 0: one line
    params = ctx.thesis.claim("rotation-trade").params
    assert watch.current == fig["since_return"]
    assert watch.threshold == params["supported_min_return_pct"]
    assert watch.flips_to is Verdict.SUPPORTED and watch.observed == date(2026, 7, 23)


def test_pending_before_any_close_after_publication(imported_hub: object) -> None:
    ctx = eval_context(imported_hub, as_of="2026-02-08")
    result = evaluate_claim(ctx.thesis.claim("rotation-trade"), ctx)
    assert result.verdict is Verdict.PENDING
    assert date(2026, 2, 8).isoformat() in result.summary.en
