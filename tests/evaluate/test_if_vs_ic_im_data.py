"""if-vs-ic-im decided on the real CSI 300/500/1000 levels standing in for IF/IC/IM."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from narrowgate.backtest.api import year_fraction
from narrowgate.evaluate.registry import get_evaluator
from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.trade_backtest import run_trade
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import eval_context

MULT = {"cnfut:IF": 300.0, "cnfut:IC": 200.0, "cnfut:IM": 200.0}
SIDE = {"cnfut:IF": 1.0, "cnfut:IC": -0.5, "cnfut:IM": -0.5}
BASIS = {"cnfut:IF": -0.03, "cnfut:IC": -0.08, "cnfut:IM": -0.11}


# CSI 500/1000 closes to 2026-07-31 were the newest until the 2026 H2 files (to 08-28);
# figures pinned on that window are read as of its end
BEFORE_H2 = "2026-07-31"


def _plan(hub: Any, **edits: Any) -> tuple[Any, Any]:
    ctx = eval_context(hub, as_of=BEFORE_H2)
    claim = ctx.thesis.claim("if-vs-ic-im")
    evaluator = get_evaluator(claim.test)
    params = evaluator.params_model.model_validate({**claim.params, **edits})
    return ctx, evaluator.backtest_plan(params, ctx)  # type: ignore[attr-defined]


def test_held_lots_equal_points_times_multiplier_minus_basis(imported_hub: object) -> None:
    """No fees, lots fixed at the anchor: equity = capital + Σ lots × multiplier × points
    + Σ −basis × lots × multiplier × previous close × ACT/365 year fraction."""
    ctx, plan = _plan(imported_hub, cost_bps_per_trade=0, rebalance="once")
    run = run_trade(plan, ctx.published)
    px = plan.closes[list(MULT)].dropna().loc["2026-02-06":]
    assert run.report.end == pd.Timestamp("2026-07-31")  # CSI 500/1000's last close
    capital = 100e6
    lots = {c: float(np.floor(abs(SIDE[c]) * capital / (MULT[c] * px[c].iloc[0]) + 0.5))
            * np.sign(SIDE[c]) for c in MULT}
    assert run.report.result.positions.iloc[-1].to_dict() == lots
    yf = year_fraction(px.index)
    direct = pd.Series(capital, index=px.index)
    for c in MULT:
        direct += lots[c] * MULT[c] * (px[c] - px[c].iloc[0])
        notional = (lots[c] * MULT[c] * px[c].shift(1)).fillna(0.0)
        direct += np.cumsum(-BASIS[c] * notional * yf)
    assert np.allclose(run.report.result.equity, direct, rtol=0, atol=1e-9 * capital)
    held = {c: abs(lots[c]) * MULT[c] * px[c] * m for c, m in
            (("cnfut:IF", 0.12), ("cnfut:IC", 0.14), ("cnfut:IM", 0.15))}
    long_side, short_side = held["cnfut:IF"], held["cnfut:IC"] + held["cnfut:IM"]
    # CFFEX's larger-side rule (the params' default margin): the short side here, since it
    # carries the higher rates on the same notional.
    assert np.allclose(run.report.result.margin, np.maximum(long_side, short_side))
    assert (short_side > long_side).all()
    _, summed = _plan(imported_hub, cost_bps_per_trade=0, rebalance="once", margin="sum")
    run_summed = run_trade(summed, ctx.published)
    assert np.allclose(run_summed.report.result.margin, long_side + short_side)
    assert np.allclose(run_summed.report.result.equity, run.report.result.equity)


def test_contradicted_once_csi_500_and_1000_rallied_in_august(imported_hub: object) -> None:
    """Was "supported" on data to 2026-07-31: CSI 500 rose 7493.985 → 7895.4511 and CSI 1000
    7075.5065 → 7705.0293 by 2026-08-28 while CSI 300 went 4588.2 → 4609.18."""
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("if-vs-ic-im"), ctx)
    assert result.error is None and result.verdict is Verdict.CONTRADICTED
    fig = {f.key: f.value for f in result.evidence.figures}
    assert fig["window_end"] == "2026-08-28"
    assert fig["leg_return_cnfut:IC"] < -3.0 and fig["leg_return_cnfut:IM"] < -4.0


def test_supported_on_the_index_proxy_with_futures_missing(imported_hub: object) -> None:
    ctx = eval_context(imported_hub, as_of=BEFORE_H2)
    result = evaluate_claim(ctx.thesis.claim("if-vs-ic-im"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.SUPPORTED
    fig = {f.key: f.value for f in result.evidence.figures}
    assert (fig["window_start"], fig["window_end"]) == ("2026-02-06", "2026-07-31")
    # +2.70% before the 18 roll fills (6 months × 3 legs, 2 bp each way) it now pays
    assert fig["since_return"] == pytest.approx(2.35, abs=0.005)
    assert fig["roll_costs"] == pytest.approx(468_549, abs=1)  # CNY
    assert fig["percentile"] == pytest.approx(72, abs=1)
    assert isinstance(fig["carry"], float) and fig["carry"] < 0  # the shorts pay the discount
    assert fig["multiplier_cnfut:IF"] == 300 and fig["multiplier_cnfut:IM"] == 200
    assert fig["basis_cnfut:IC"] == -8
    fetch = {i for m in result.evidence.missing for i in m.fetch}
    for leg in MULT:  # each leg's missing single contracts (cnfut:IF1601 …) are named
        assert any(i.startswith(leg) for i in fetch), leg
    assert any("discount" in n.en and "[unverified]" in n.en for n in result.evidence.notes)
    used = {d.instrument for d in result.evidence.data}
    assert {"cnidx:000300", "cnidx:000905", "cnidx:000852"} <= used
    # equity, drawdown, rolling 6-month return and the P&L attribution waterfall (bars)
    assert len(result.evidence.charts) == 4
    assert result.evidence.charts[3].series[0].kind == "bar"
    (watch,) = result.evidence.watch  # both thresholds are 0: one line
    params = ctx.thesis.claim("if-vs-ic-im").params
    assert watch.current == fig["since_return"]
    assert watch.threshold == params["contradicted_max_return_pct"]
    assert watch.flips_to is Verdict.CONTRADICTED
    assert watch.observed is not None and watch.observed.isoformat() == "2026-07-31"
