"""margin-hikes (event-study kind) on the real LBMA silver fixes (context, not the verdict)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from narrowgate.evaluate.kinds.event_study import EventStudyParams, study_dates
from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import SHARED_DATA, eval_context


def test_event_study_around_the_logged_silver_changes(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    claim = ctx.thesis.claim("margin-hikes")
    result = evaluate_claim(claim, ctx)
    assert result.error is None
    assert result.verdict is Verdict.MIXED  # still the fact check: headline sourced, count not
    f = {x.key: x.value for x in result.evidence.figures}
    assert f["leverage_before"] == 6.67 and f["leverage_after"] == 5.56
    assert f["event_instrument"] == "lbma:SILVER"
    params = EventStudyParams.model_validate(claim.params)
    dates = study_dates(params)
    assert len(dates) == 10  # 12 notices, two shared dates, the conditional SGE one out
    assert f["events_studied"] == 10 and f["events_left_out"] == 0

    # by hand from the file: n fixes after each change vs the fix on (or before) its date
    n = params.event_window_days
    silver = pd.read_csv(SHARED_DATA / "commodities/lbma_gold_silver_finance_terminal/"
                         "silver.csv", parse_dates=[0], index_col=0).iloc[:, 0].dropna()
    afters, lower = [], 0
    for day in dates:
        pos = silver.index.searchsorted(pd.Timestamp(day), side="right") - 1
        afters.append(silver.iloc[pos + n] / silver.iloc[pos] - 1)
        logs = np.log(silver).diff()
        lower += logs.iloc[pos + 1:pos + n + 1].std() < logs.iloc[pos - n + 1:pos + 1].std()
    assert f["mean_return_after"] == pytest.approx(round(float(np.mean(afters)) * 100, 1))
    assert f["share_lower_vol_after"] == pytest.approx(round(lower / len(dates) * 100, 1))
    assert not any("back-test engine" in m.what for m in result.evidence.missing)
    assert any("context, not the verdict" in n.en for n in result.evidence.notes)
    titles = [c.title.en for c in result.evidence.charts]
    assert any("Realised volatility" in t for t in titles) and len(titles) == 3
    assert any(d.instrument == "lbma:SILVER" for d in result.evidence.data)
