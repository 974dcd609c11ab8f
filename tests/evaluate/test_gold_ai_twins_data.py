"""gold-ai-twins: qualitative (the reason in the thesis), with the rolling correlation of
real GLD/SMH/NVDA/MU closes as context from the generic `qualitative` kind."""

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
    claim = ctx.thesis.claim("gold-ai-twins")
    assert claim.test == "qualitative"  # a generic kind, the reason in the thesis file
    result = evaluate_claim(claim, ctx)
    assert result.error is None
    assert result.verdict is Verdict.QUALITATIVE
    f = {x.key: x.value for x in result.evidence.figures}
    # by hand: the last 60 common daily returns of GLD and SMH (SMH ends 2026-06-05);
    # GLD is read split-adjusted (its only basis before 2026), as the file gives it
    gld = _close("prices/us/etf_daily_kittycapital/GLD.csv")
    smh = _close("prices/us/SMH_adjusted_jonsflow.csv")
    both = pd.concat([gld, smh], axis=1, join="inner").dropna().pct_change().iloc[1:]
    tail = both.iloc[-60:]
    expected = np.corrcoef(tail.iloc[:, 0], tail.iloc[:, 1])[0, 1]
    assert f["group2_latest_correlation"] == pytest.approx(round(expected, 2))
    assert (-1 <= f["group1_correlation_min"] <= f["group1_latest_correlation"]
            <= f["group1_correlation_max"] <= 1)
    assert 0 <= f["group1_share_positive"] <= 100
    assert {d.instrument for d in result.evidence.data} == {"us:GLD", "us:SMH", "us:NVDA",
                                                            "us:MU"}
    assert result.evidence.charts and len(result.evidence.charts[0].series) == 4
    assert "motive" in result.summary.en and "Context:" in result.summary.en
    assert "动机" in result.summary.zh and "背景" in result.summary.zh


def test_missing_members_degrade_gracefully(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    claim = ctx.thesis.claim("gold-ai-twins")
    evaluator = get_evaluator(claim.test)
    params = dict(claim.params)
    context = dict(params["context"])
    context["groups"] = [{"label": {"zh": "篮子", "en": "basket"},
                          "members": ["us:SMH", "us:ZZZZ"]}]
    result = evaluator.evaluate(
        claim, evaluator.params_model.model_validate({**params, "context": context}), ctx)
    assert result.verdict is Verdict.QUALITATIVE
    assert any(m.what.startswith("us:ZZZZ") and m.fetch == ["us:ZZZZ"]
               for m in result.evidence.missing)
    assert any(f.key == "group1_latest_correlation" for f in result.evidence.figures)
    context["groups"] = [{"label": {"zh": "篮子", "en": "basket"}, "members": ["us:ZZZZ"]}]
    empty = evaluator.evaluate(
        claim, evaluator.params_model.model_validate({**params, "context": context}), ctx)
    assert empty.verdict is Verdict.QUALITATIVE
    assert any("no data" in n.en for n in empty.evidence.notes)
