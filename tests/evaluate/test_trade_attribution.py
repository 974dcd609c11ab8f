"""Trades say what they are made of (issue 13 item 5), on the real bundled trades: a P&L
attribution that sums to the headline return, a beta-neutral variant beside the
dollar-neutral one, and for futures on an index proxy the return with no, the assumed
and double the assumed basis."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from narrowgate.evaluate.kinds.trade_attribution import side_beta
from narrowgate.evaluate.registry import get_evaluator
from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.trade_backtest import run_trade
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import eval_context, require_shared

LONG, SHORT = ["us:DIA", "us:IWM"], ["us:QQQ", "us:IGV"]
BEFORE_H2 = "2026-07-31"


def _figures(result: Any) -> dict[str, Any]:
    return {f.key: f.value for f in result.evidence.figures}


def _terms_sum(fig: dict[str, Any]) -> float:
    return sum(v for k, v in fig.items() if k.startswith("pnl_") and k != "pnl_total")


def _evaluate(hub: Any, claim_id: str, as_of: str = "2026-11-24", **edits: Any) -> Any:
    ctx = eval_context(hub, as_of=as_of)
    claim = ctx.thesis.claim(claim_id)
    evaluator = get_evaluator(claim.test)
    params = evaluator.params_model.model_validate({**claim.params, **edits})
    return evaluator.evaluate(claim, params, ctx)


@pytest.mark.parametrize("claim_id", ["rotation-trade", "if-vs-ic-im"])
@pytest.mark.parametrize("as_of", [BEFORE_H2, "2026-11-24"])
def test_attribution_sums_to_the_total_return(imported_hub: object, claim_id: str,
                                              as_of: str) -> None:
    ctx = eval_context(imported_hub, as_of=as_of)
    claim = ctx.thesis.claim(claim_id)
    evaluator = get_evaluator(claim.test)
    params = evaluator.params_model.model_validate(claim.params)
    plan = evaluator.backtest_plan(params, ctx)  # type: ignore[attr-defined]
    run = run_trade(plan, ctx.published, end=params.end or claim.horizon)
    fig = _figures(evaluate_claim(claim, ctx))
    assert fig["pnl_total"] == pytest.approx(run.total_return_pct, abs=1e-9)
    assert _terms_sum(fig) == pytest.approx(run.total_return_pct, abs=1e-9)
    assert fig["pnl_total"] == pytest.approx(fig["since_return"], abs=0.005)


def test_rotation_trade_attribution_and_beta_neutral(imported_hub: object) -> None:
    result = _evaluate(imported_hub, "rotation-trade")
    assert result.verdict is Verdict.CONTRADICTED
    fig = _figures(result)
    # the legs' prices: long DIA + IWM +3.33, short QQQ + IGV −6.22 (% of capital)
    assert round(fig["pnl_price_us:DIA"], 2) == 0.78
    assert round(fig["pnl_price_us:IWM"], 2) == 2.56
    assert round(fig["pnl_price_us:QQQ"], 2) == -3.60
    assert round(fig["pnl_price_us:IGV"], 2) == -2.62
    # 50 bp/yr borrow on the shorts; 5 bp fees on every leg; no basis, no rolls
    assert round(fig["pnl_borrow_us:QQQ"] + fig["pnl_borrow_us:IGV"], 3) == -0.111
    assert round(sum(fig[f"pnl_fees_{a}"] for a in LONG + SHORT), 3) == -0.070
    assert not any(k.startswith(("pnl_basis_", "pnl_rolls_")) for k in fig)
    # beta of DIA+IWM on QQQ+IGV over 252 sessions to 2026-02-06: 0.645 → long 0.61×, short
    # 0.39×; that book lost less, and it is shown, not deciding
    assert fig["beta_long_on_short"] == pytest.approx(0.645, abs=0.0005)
    assert fig["beta_neutral_return"] == pytest.approx(-0.85, abs=0.005)
    decisive = {f.key for f in result.evidence.figures if f.decisive}
    assert "since_return" in decisive and "beta_neutral_return" not in decisive
    assert any("Beta-neutral variant" in n.en and "shown, not deciding" in n.en
               for n in result.evidence.notes)
    assert any("贝塔中性版本" in n.zh for n in result.evidence.notes)
    waterfall = result.evidence.charts[-1]
    assert not waterfall.x_is_date and {s.kind for s in waterfall.series} == {"bar"}
    bars = {s.name: dict(zip(s.x, s.y, strict=True)) for s in waterfall.series}
    assert list(bars) == ["price P&L", "borrow", "fees", "total"]
    assert bars["price P&L"]["us:DIA"] == pytest.approx(0.7794, abs=5e-5)
    assert bars["borrow"]["us:DIA"] == 0.0
    assert bars["total"] == {"Σ": pytest.approx(-3.0669, abs=5e-5)}
    assert not any(k.startswith("basis_x") for k in fig)  # spot legs: no basis sensitivity


def test_price_pnl_is_the_leg_move_held_once(imported_hub: object) -> None:
    """Bought once with no costs, each leg's price P&L is its quarter of capital times its
    close-to-close move (split-adjusted closes, as the trade reads them)."""
    fig = _figures(_evaluate(imported_hub, "rotation-trade", rebalance="once",
                             cost_bps_per_trade=0, borrow_bps_per_year=0))
    for leg in LONG + SHORT:
        name = {"us:IGV": "IGV_from2014"}.get(leg, leg.partition(":")[2])
        close = pd.read_csv(require_shared(f"prices/us/etf_daily_kittycapital/{name}.csv"),
                            index_col="Date")["Close"]
        move = float(close["2026-07-23"]) / float(close["2026-02-06"]) - 1
        sign = 1 if leg in LONG else -1
        assert fig[f"pnl_price_{leg}"] == pytest.approx(sign * 25 * move, abs=1e-9)
        assert f"pnl_fees_{leg}" not in fig and f"pnl_borrow_{leg}" not in fig


def test_the_beta_is_the_regression_slope_of_the_sides(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    claim = ctx.thesis.claim("rotation-trade")
    evaluator = get_evaluator(claim.test)
    params = evaluator.params_model.model_validate(claim.params)
    plan = evaluator.backtest_plan(params, ctx)  # type: ignore[attr-defined]
    run = run_trade(plan, ctx.published)
    rets = plan.closes[LONG + SHORT].dropna().loc[:"2026-02-06"].tail(253).pct_change().dropna()
    slope = np.polyfit(rets[SHORT].mean(axis=1), rets[LONG].mean(axis=1), 1)[0]
    assert side_beta(run, 252) == pytest.approx(slope, abs=1e-12)


def test_beta_neutral_decides_only_when_the_params_say_so(imported_hub: object) -> None:
    result = _evaluate(imported_hub, "if-vs-ic-im", as_of=BEFORE_H2,
                       beta_neutral_decides=True, supported_min_return_pct=2.5,
                       contradicted_max_return_pct=2.5)
    fig = _figures(result)
    # dollar-neutral +2.35% would be contradicted at 2.5%; beta-neutral +2.71% is supported
    assert fig["since_return"] == pytest.approx(2.35, abs=0.005)
    assert fig["beta_neutral_return"] == pytest.approx(2.71, abs=0.005)
    assert result.verdict is Verdict.SUPPORTED
    decisive = {f.key for f in result.evidence.figures if f.decisive}
    assert "beta_neutral_return" in decisive and "since_return" not in decisive
    assert "(it decides, as the params say)" in result.summary.en
    (watch,) = result.evidence.watch
    assert watch.current == fig["beta_neutral_return"]
    assert "beta-neutral variant return" in watch.label.en
    off = _figures(_evaluate(imported_hub, "rotation-trade", beta_window_days=0))
    assert "beta_neutral_return" not in off and "beta_long_on_short" not in off


def test_beta_neutral_decides_needs_both_sides() -> None:
    ctx_params = {"legs": [{"instrument": "us:QQQ", "side": "long", "weight": 1.0}],
                  "backtest_start": "2015-01-02", "beta_neutral_decides": True}
    with pytest.raises(ValidationError, match="beta_neutral_decides needs long and short"):
        get_evaluator("trade").params_model.model_validate(ctx_params)


def test_if_vs_ic_im_basis_sensitivity_flips_the_july_verdict(imported_hub: object) -> None:
    """On data to 2026-07-31 the trade was supported only because of the assumed basis
    being no worse than it is: double it and it loses."""
    result = _evaluate(imported_hub, "if-vs-ic-im", as_of=BEFORE_H2)
    assert result.verdict is Verdict.SUPPORTED
    fig = _figures(result)
    assert fig["basis_x0_return"] == pytest.approx(5.19, abs=0.005)
    assert fig["basis_x1_return"] == fig["since_return"] == pytest.approx(2.35, abs=0.005)
    assert fig["basis_x2_return"] == pytest.approx(-1.20, abs=0.005)
    assert "The verdict depends on the basis assumption." in result.summary.en
    assert "判定取决于基差假设" in result.summary.zh
    # the assumed basis is linear in the accrual: IF's long earns, IC and IM's shorts pay
    assert fig["pnl_basis_cnfut:IF"] > 0 > fig["pnl_basis_cnfut:IC"]
    assert fig["pnl_basis_cnfut:IM"] < 0


def test_if_vs_ic_im_latest_does_not_depend_on_basis(imported_hub: object) -> None:
    result = _evaluate(imported_hub, "if-vs-ic-im")
    assert result.verdict is Verdict.CONTRADICTED
    fig = _figures(result)
    assert fig["since_return"] == pytest.approx(-5.01, abs=0.005)
    assert fig["basis_x0_return"] == pytest.approx(-1.85, abs=0.005)
    assert fig["basis_x2_return"] == pytest.approx(-8.89, abs=0.005)
    assert "The verdict does not depend on the basis assumption." in result.summary.en
    assert round(sum(fig[f"pnl_basis_cnfut:{c}"] for c in ("IF", "IC", "IM")), 2) == -3.50
    assert round(sum(fig[f"pnl_rolls_cnfut:{c}"] for c in ("IF", "IC", "IM")), 2) == -0.55
    assert fig["beta_long_on_short"] == pytest.approx(0.609, abs=0.0005)
    assert fig["beta_neutral_return"] == pytest.approx(-2.50, abs=0.005)
