"""The generic trade kind on users' theses (docs/examples): labels come from the legs, the
horizon ends the measured window and gates the verdict, futures legs run in the user's
direction, and params that cannot describe a trade are rejected before any data is read."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest
from pydantic import ValidationError

from narrowgate.evaluate.kinds.trade import TradeParams
from narrowgate.evaluate.registry import EvalContext, get_evaluator
from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.loader import load_thesis
from tests.conftest import REPO_ROOT, require_shared

US = REPO_ROOT / "docs" / "examples" / "us-soft-landing.yaml"
CHINA = REPO_ROOT / "docs" / "examples" / "china-hk-liquidity.yaml"


def _move(name: str, start: str, end: str) -> float:
    """Percent change of a recorded ETF close (split-adjusted, as the trade reads it)."""
    path = require_shared(f"prices/us/etf_daily_kittycapital/{name}.csv")
    close = pd.read_csv(path, index_col="Date")["Close"]
    return (float(close[end]) / float(close[start]) - 1) * 100


def _figures(result: Any) -> dict[str, Any]:
    return {f.key: f.value for f in result.evidence.figures}


def test_labels_come_from_the_legs_and_the_horizon_ends_the_window(imported_hub: object) -> None:
    thesis = load_thesis(str(US))
    ctx = EvalContext(thesis=thesis, as_of=date(2026, 11, 24), hub=imported_hub)
    result = evaluate_claim(thesis.claim("out-of-tech"), ctx)
    assert result.error is None and result.verdict is Verdict.CONTRADICTED
    assert "long IWM+GLD / short QQQ" in result.summary.en
    assert "多 IWM+GLD / 空 QQQ" in result.summary.zh
    assert "DIA" not in result.summary.en  # no bundled claim's words
    fig = _figures(result)
    # the window stops at the horizon although the closes run on to 2026-08-21
    assert (fig["window_start"], fig["window_end"]) == ("2026-02-27", "2026-08-14")
    for leg in ("IWM", "GLD", "QQQ"):
        assert fig[f"leg_return_us:{leg}"] == pytest.approx(
            round(_move(leg, "2026-02-27", "2026-08-14"), 2))
    assert fig["since_return"] == pytest.approx(-10.25, abs=0.005)
    assert {d.basis for d in result.evidence.data} == {"split"}
    assert any("not dividend-adjusted" in n.en for n in result.evidence.notes)


def test_before_the_horizon_the_trade_is_pending_with_the_interim_reading(
        imported_hub: object) -> None:
    thesis = load_thesis(str(US))
    ctx = EvalContext(thesis=thesis, as_of=date(2026, 8, 1), hub=imported_hub)
    result = evaluate_claim(thesis.claim("out-of-tech"), ctx)
    assert result.verdict is Verdict.PENDING
    assert result.summary.en.startswith("The deciding date 2026-08-14 is not reached")
    assert "So far: contradicted" in result.summary.en
    assert _figures(result)["window_end"] == "2026-07-31"  # the interim reading's last close


def test_past_the_horizon_without_data_reaching_it_is_pending(imported_hub: object) -> None:
    thesis = load_thesis(str(US))
    claim = thesis.claim("out-of-tech")
    evaluator = get_evaluator("trade")
    params = evaluator.params_model.model_validate({**claim.params, "end": "2026-09-30"})
    ctx = EvalContext(thesis=thesis, as_of=date(2026, 11, 24), hub=imported_hub)
    result = evaluator.evaluate(claim, params, ctx)
    assert result.verdict is Verdict.PENDING
    assert "has passed but the data only reach 2026-08-21" in result.summary.en


def test_futures_legs_run_in_the_users_direction(imported_hub: object) -> None:
    """Long CSI 1000 futures / short CSI 300 — the reverse of the bundled trade — is
    labelled and signed as the user wrote it: IM's smaller rise is the loss, the discount
    a long IM earns the gain."""
    thesis = load_thesis(str(CHINA))
    ctx = EvalContext(thesis=thesis, as_of=date(2026, 11, 24), hub=imported_hub)
    result = evaluate_claim(thesis.claim("small-over-large-futures"), ctx)
    assert result.error is None
    assert "long IM / short IF" in result.summary.en and "IC" not in result.summary.en
    fig = _figures(result)
    assert fig["window_end"] == "2026-06-30"
    assert fig["leg_return_cnfut:IM"] < fig["leg_return_cnfut:IF"]
    assert fig["carry"] > 0  # the long earns IM's discount (-11%/yr) beyond IF's (-3%/yr)
    assert fig["since_return"] == pytest.approx(0.33, abs=0.005)
    assert result.verdict is Verdict.MIXED  # between the 0% and 1% thresholds
    assert fig["multiplier_cnfut:IM"] == 200 and fig["capital"] == 50_000_000


def test_a_long_only_trade_is_the_instrument_itself(imported_hub: object) -> None:
    thesis = load_thesis(str(US))
    claim = thesis.claim("out-of-tech")
    evaluator = get_evaluator("trade")
    params = evaluator.params_model.model_validate({
        **claim.params, "legs": [{"instrument": "us:IWM", "side": "long", "weight": 1}],
        "cost_bps_per_trade": 0, "borrow_bps_per_year": 0})
    result = evaluator.evaluate(claim, params, EvalContext(
        thesis=thesis, as_of=date(2026, 11, 24), hub=imported_hub))
    fig = _figures(result)
    assert "long IWM" in result.summary.en and "short" not in result.summary.en
    assert fig["since_return"] == pytest.approx(_move("IWM", "2026-02-27", "2026-08-14"),
                                                abs=0.005)


SPOT = {"legs": [{"instrument": "us:IWM", "side": "long", "weight": 1},
                 {"instrument": "us:QQQ", "side": "short", "weight": 1}],
        "backtest_start": "2012-01-03"}
FUT = {"contract": "cnfut:IF", "index_proxy": "cnidx:000300", "side": "long", "weight": 1,
       "multiplier_per_point": 300, "min_margin_pct": 8, "basis_pct_per_year": -3,
       "source": {"title": "spec"}}


@pytest.mark.parametrize(("edit", "message"), [
    ({"legs": [SPOT["legs"][0], FUT]}, "all instruments or all futures"),
    ({"legs": [SPOT["legs"][0], {"instrument": "hk:0700", "side": "short", "weight": 1}]},
     "legs trade in HKD and USD"),
    ({"legs": [FUT]}, "need basis_source"),
    ({"end": "2011-12-30"}, "end must come after backtest_start"),
    ({"legs": [{**SPOT["legs"][0], "weight": 0.6}, SPOT["legs"][1]]},
     "long leg weights must sum to 1"),
    ({"contradicted_max_return_pct": 2}, "cannot exceed"),
])
def test_params_that_cannot_describe_a_trade_are_rejected(edit: dict[str, Any],
                                                          message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        TradeParams.model_validate({**SPOT, **edit})
