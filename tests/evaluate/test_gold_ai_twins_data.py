"""gold-ai-twins: qualitative, with the rolling correlation on real GLD/SMH/NVDA/MU closes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from narrowgate.evaluate.registry import get_evaluator
from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import SHARED_DATA, eval_context


def _close(relative: str, column: str = "Close") -> pd.Series:
    frame = pd.read_csv(SHARED_DATA / relative, parse_dates=[0], index_col=0)
    return frame[column].loc["2023-01-03":]


def test_rolling_correlation_is_shown_and_the_verdict_stays_qualitative(
    imported_hub: object,
) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("gold-ai-twins"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.QUALITATIVE
    f = {x.key: x.value for x in result.evidence.figures}
    # by hand: the last 60 common daily returns of GLD and SMH (SMH ends 2026-06-05)
    gld = _close("prices/us/etf_daily_kittycapital/GLD.csv")
    smh = _close("prices/us/SMH_adjusted_jonsflow.csv")
    both = pd.concat([gld, smh], axis=1, join="inner").dropna().pct_change().iloc[1:]
    tail = both.iloc[-60:]
    expected = np.corrcoef(tail.iloc[:, 0], tail.iloc[:, 1])[0, 1]
    assert f["latest_correlation_us:SMH"] == pytest.approx(round(expected, 2))
    assert -1 <= f["correlation_min"] <= f["latest_correlation"] <= f["correlation_max"] <= 1
    assert {d.instrument for d in result.evidence.data} == {"us:GLD", "us:SMH", "us:NVDA",
                                                            "us:MU"}
    assert result.evidence.charts and len(result.evidence.charts[0].series) == 4
    assert "motive" in result.summary.en and "Context:" in result.summary.en


def test_missing_members_degrade_gracefully(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    claim = ctx.thesis.claim("gold-ai-twins")
    evaluator = get_evaluator(claim.test)
    params = evaluator.params_model.model_validate(
        {**claim.params, "ai_hardware_basket": ["us:SMH", "us:ZZZZ"]})
    result = evaluator.evaluate(claim, params, ctx)
    assert result.verdict is Verdict.QUALITATIVE
    assert any(m.what.startswith("us:ZZZZ") for m in result.evidence.missing)
    assert any(f.key == "latest_correlation" for f in result.evidence.figures)
    nothing = evaluator.params_model.model_validate(
        {**claim.params, "ai_hardware_basket": ["us:ZZZZ"]})
    empty = evaluator.evaluate(claim, nothing, ctx)
    assert empty.verdict is Verdict.QUALITATIVE
    assert any("Context missing" in n.en for n in empty.evidence.notes)
